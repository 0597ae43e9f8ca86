// A node's dashboard and its 大屏 (wall screen): cards, ECharts charts, the Leaflet map
// coloured by the chosen KPI, the supervision lists. The page's figures come in through
// json_script (#dash-data); a click on a child on the map fetches that child's JSON and
// shows its figures (进入 drills down); the 大屏 fetches its own JSON again every N seconds.
// No inline code or style (the CSP): colours are set through the CSSOM, tooltips are drawn
// on the canvas (renderMode "richText"), not as HTML with style attributes.
(function () {
  "use strict";
  var root = document.getElementById("dash");
  if (!root) {
    return;
  }
  var screen = root.getAttribute("data-mode") === "screen";
  var read = function (id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  };
  var home = read("dash-data");
  var mapData = read("dash-map-data");
  var settings = read("dash-settings") || {};
  var current = home;
  var charts = {};
  var ink = screen ? "#cfe3ff" : "#1f2328";
  var faint = screen ? "#3a4d6b" : "#e3e6ea";
  var palette = screen
    ? ["#3ba4ff", "#36d399", "#fbbd23", "#f87272", "#a78bfa"]
    : ["#b71c1c", "#1d4ed8", "#16a34a", "#f59e0b", "#7c3aed"];

  function paint(scope) {
    scope.querySelectorAll("[data-colour]").forEach(function (element) {
      element.style.backgroundColor = element.getAttribute("data-colour");
    });
  }

  function make(tag, className, text) {
    var element = document.createElement(tag);
    if (className) {
      element.className = className;
    }
    if (text !== undefined && text !== null) {
      element.textContent = text;
    }
    return element;
  }

  // -- cards, lists, figures ------------------------------------------------------------

  function setCards(id, items) {
    items.forEach(function (item) {
      var value = document.querySelector("#" + id + " [data-field='" + item.field + "'] [data-value]");
      if (value) {
        value.textContent = item.display;
      }
    });
  }

  function setWatch(lists) {
    var box = document.getElementById("dash-watch");
    if (!box) {
      return;
    }
    box.textContent = "";
    lists.forEach(function (list) {
      var section = make("div", "section dash-watch__list");
      section.setAttribute("data-key", list.key);
      var title = make("h2", "", list.label + " ");
      var badge = make("span", "badge" + (list.count ? " badge--" + list.key : ""), String(list.count));
      badge.setAttribute("data-count", "");
      title.appendChild(badge);
      section.appendChild(title);
      var rows = make("ul", "plain");
      rows.setAttribute("data-rows", "");
      if (!list.rows.length) {
        rows.appendChild(make("li", "empty", "无"));
      }
      list.rows.forEach(function (row) {
        var item = make("li");
        var link = make("a");
        link.href = row.url;
        if (row.tone) {
          link.appendChild(make("span", "light light--" + row.tone));
          link.appendChild(document.createTextNode(" "));
        }
        link.appendChild(document.createTextNode(row.title));
        item.appendChild(link);
        item.appendChild(document.createTextNode(" "));
        item.appendChild(make("span", "muted small", [row.number, row.when ? (row.when_label || "时限") + " " + row.when : ""].filter(Boolean).join(" · ")));
        rows.appendChild(item);
      });
      section.appendChild(rows);
      box.appendChild(section);
    });
  }

  function setFigures(items) {
    var box = document.getElementById("dash-figures");
    if (!box) {
      return;
    }
    box.textContent = "";
    items.forEach(function (item) {
      var card = make("div", "kpi-card");
      card.setAttribute("data-key", item.key);
      card.appendChild(make("dt", "", item.label));
      var value = make("dd", "", String(item.value));
      value.setAttribute("data-value", "");
      card.appendChild(value);
      box.appendChild(card);
    });
    var section = document.getElementById("dash-figures-section");
    if (section) {
      section.hidden = !items.length;
    }
  }

  function setLegend(steps) {
    var box = document.getElementById("dash-legend");
    if (!box) {
      return;
    }
    box.textContent = "";
    steps.forEach(function (step) {
      var item = make("li");
      var swatch = make("i", "swatch");
      swatch.setAttribute("data-colour", step.colour);
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(step.label));
      box.appendChild(item);
    });
    paint(box);
  }

  // -- charts -----------------------------------------------------------------------------

  function percent(values) {
    return values.map(function (value) {
      return value === null ? null : Math.round(value * 1000) / 10;
    });
  }

  function empty() {
    return {
      title: { text: "暂无数据", left: "center", top: "middle", textStyle: { color: "#9aa1a9", fontSize: 14 } },
    };
  }

  function base(extra) {
    var option = {
      color: palette,
      backgroundColor: "transparent",
      textStyle: { color: ink },
      tooltip: { trigger: "axis", renderMode: "richText", confine: true },
      grid: { left: 8, right: 12, top: 34, bottom: 8, containLabel: true },
      animationDuration: screen ? 600 : 300,
    };
    Object.keys(extra).forEach(function (key) {
      option[key] = extra[key];
    });
    return option;
  }

  function bars(series, field, name) {
    var n = Math.min(series.names.length, 8);
    return base({
      legend: { show: false },
      xAxis: { type: "value", splitLine: { lineStyle: { color: faint } }, axisLabel: { color: ink } },
      yAxis: {
        type: "category",
        inverse: true,
        data: series.names.slice(0, n),
        // Long unit names wrap onto a second line rather than being cut off.
        axisLabel: { color: ink, width: 110, overflow: "break", lineHeight: 13 },
      },
      series: [{ name: name, type: "bar", data: series[field].slice(0, n), barMaxWidth: 18 }],
    });
  }

  function option(name, series) {
    var names = current.labels;
    if (!series || !series.names.length) {
      return empty();
    }
    if (name === "trend") {
      return base({
        legend: { top: 0, textStyle: { color: ink } },
        xAxis: { type: "category", data: series.names, axisLabel: { color: ink } },
        yAxis: [
          { type: "value", minInterval: 1, splitLine: { lineStyle: { color: faint } }, axisLabel: { color: ink } },
          { type: "value", max: 100, axisLabel: { formatter: "{value}%", color: ink }, splitLine: { show: false } },
        ],
        series: [
          { name: names.received, type: "bar", data: series.received, barMaxWidth: 16 },
          { name: names.closed, type: "bar", data: series.closed, barMaxWidth: 16 },
          {
            name: names.satisfaction_rate,
            type: "line",
            yAxisIndex: 1,
            data: percent(series.satisfaction_rate),
            connectNulls: true,
          },
        ],
      });
    }
    if (name === "slowest") {
      return bars(series, "avg_handling_workdays", names.avg_handling_workdays);
    }
    return bars(series, "received", names.received);
  }

  function draw(element) {
    if (typeof echarts === "undefined") {
      return;
    }
    var name = element.getAttribute("data-chart");
    var chart = charts[name];
    if (!chart) {
      chart = charts[name] = echarts.init(element, null, { renderer: "canvas" });
    }
    chart.setOption(option(name, current.charts[name]), true);
    element.setAttribute("data-ready", "1");
    if (!performance.getEntriesByName("dash:first-chart").length) {
      performance.mark("dash:first-chart");
    }
  }

  // ECharts (234 kB gzipped) is fetched only when a chart is about to be seen, so a phone
  // shows the cards and the map without it; the 大屏 fetches it at once.
  var waiting = [];
  var loading = false;

  function withECharts(callback) {
    if (typeof echarts !== "undefined") {
      callback();
      return;
    }
    waiting.push(callback);
    if (loading) {
      return;
    }
    loading = true;
    var script = document.createElement("script");
    script.src = root.getAttribute("data-echarts");
    script.onload = function () {
      waiting.splice(0).forEach(function (run) {
        run();
      });
    };
    document.head.appendChild(script);
  }

  function redrawCharts() {
    document.querySelectorAll(".chart[data-ready]").forEach(draw);
  }

  function startCharts() {
    var elements = document.querySelectorAll(".chart[data-chart]");
    // Charts below the fold are drawn when they scroll into view (a phone draws one or two).
    if (screen || !("IntersectionObserver" in window)) {
      withECharts(function () {
        elements.forEach(draw);
      });
      return;
    }
    var observer = new IntersectionObserver(
      function (entries) {
        entries.forEach(function (entry) {
          if (entry.isIntersecting) {
            observer.unobserve(entry.target);
            withECharts(function () {
              draw(entry.target);
            });
          }
        });
      },
      { rootMargin: "200px 0px" }
    );
    elements.forEach(function (element) {
      observer.observe(element);
    });
  }

  function resizeCharts() {
    Object.keys(charts).forEach(function (key) {
      charts[key].resize();
    });
  }

  // -- the map ----------------------------------------------------------------------------

  var layers = {};
  var selected = null;

  function colourOf(code) {
    var found = (current.children || []).filter(function (row) {
      return row.code === code;
    })[0];
    // A grid's own area: the payload's neutral colour (nothing is compared).
    return found ? found.colour : current.own_colour || (screen ? "#3ba4ff" : "#90a4ae");
  }

  function style(code) {
    var on = code === selected;
    return {
      color: on ? "#111827" : screen ? "#0b1a33" : "#ffffff",
      weight: on ? 3 : 1,
      fillColor: colourOf(code),
      fillOpacity: 0.75,
      className: "dash-shape shape-" + code,
    };
  }

  function recolour() {
    Object.keys(layers).forEach(function (code) {
      layers[code].setStyle(style(code));
      var row = (current.children || []).filter(function (item) {
        return item.code === code;
      })[0];
      if (row) {
        layers[code].setTooltipContent(row.name + " · " + current.kpi.label + " " + row.display);
      }
    });
  }

  function startMap() {
    var container = document.getElementById("dash-map");
    if (!container || !mapData || typeof L === "undefined" || !mapData.shapes.length) {
      if (container) {
        container.hidden = true;
      }
      return;
    }
    var map = L.map(container, { scrollWheelZoom: false, zoomSnap: 0.25, attributionControl: !!mapData.tile_url });
    if (map.attributionControl) {
      map.attributionControl.setPrefix(false);
    }
    if (mapData.tile_url) {
      L.tileLayer(mapData.tile_url, { maxZoom: 19, attribution: mapData.tile_attribution || "" }).addTo(map);
    }
    var group = L.featureGroup();
    mapData.shapes.forEach(function (shape) {
      var layer = L.geoJSON(shape.geometry, { style: style(shape.code) });
      layer.bindTooltip(shape.name, { sticky: true });
      if (!home.node.is_grid) {
        layer.on("click", function () {
          focus(shape.code, shape.name);
        });
      }
      layers[shape.code] = layer;
      group.addLayer(layer);
    });
    // The view must be set before vector layers are added (their renderer needs bounds).
    map.fitBounds(group.getBounds(), { padding: [8, 8] });
    group.addTo(map);
    recolour();
    container.setAttribute("data-ready", "1");
    performance.mark("dash:map-ready");
  }

  // -- showing a child's figures, and coming back ----------------------------------------

  function render(data) {
    current = data;
    setCards("dash-three", data.three);
    setCards("dash-headline", data.headline);
    setWatch(data.supervision);
    setFigures(data.figures);
    document.querySelectorAll("[data-updated]").forEach(function (element) {
      element.textContent = data.updated;
    });
    redrawCharts();
  }

  function dataUrl(code) {
    var query = home.node.url.split("?")[1] || "";
    return root.getAttribute("data-data-url").replace(home.node.code + "/", code + "/") + (query ? "?" + query : "");
  }

  function focus(code, name) {
    var bar = document.getElementById("dash-focus");
    selected = code;
    recolour();
    root.setAttribute("aria-busy", "true");
    fetch(dataUrl(code), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (data) {
        var children = home.children;
        render(data);
        current.children = children; // the map keeps this level's colours
        bar.querySelector("[data-focus-name]").textContent = name;
        bar.querySelector("[data-focus-enter]").href = data.node.url;
        bar.hidden = false;
        root.setAttribute("data-focus", code);
        root.removeAttribute("aria-busy");
      })
      .catch(function () {
        root.removeAttribute("aria-busy");
        bar.hidden = false;
        bar.querySelector("[data-focus-name]").textContent = name + "（数据加载失败）";
      });
  }

  function back() {
    selected = null;
    render(home);
    recolour();
    document.getElementById("dash-focus").hidden = true;
    root.removeAttribute("data-focus");
  }

  // -- the 大屏 refreshes itself -----------------------------------------------------------

  function refresh() {
    fetch(settings.data_url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 401 || response.status === 403) {
          window.location.reload(); // logged out: the login page, not a frozen screen
        }
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (!data) {
          return;
        }
        home = data;
        render(data);
        recolour();
        setLegend(data.legend);
        var count = Number(root.getAttribute("data-refreshed") || 0) + 1;
        root.setAttribute("data-refreshed", String(count));
      })
      .catch(function () {
        /* the network is down: keep showing the last figures and try again later */
      });
  }

  paint(document);
  startMap();
  startCharts();
  var backButton = document.querySelector("[data-focus-back]");
  if (backButton) {
    backButton.addEventListener("click", back);
  }
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () {
      select.form.submit();
    });
  });
  window.addEventListener("resize", resizeCharts);
  if (screen && settings.every) {
    window.setInterval(refresh, settings.every * 1000);
  }
})();
