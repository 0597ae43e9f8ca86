// Forms marked data-once send once: the button is disabled as the form goes, and a second
// tap before the next page arrives does nothing (the server also refuses a repeat, by the
// form's one-time token). Buttons with data-confirm ask first.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var question = submitter && submitter.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    if (!form.hasAttribute("data-once")) {
      return;
    }
    if (form.getAttribute("data-sent")) {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-sent", "1");
    var buttons = form.querySelectorAll("[type=submit]");
    // After the submit event, so the pressed button's own value is still sent.
    setTimeout(function () {
      buttons.forEach(function (button) {
        button.disabled = true;
        if (button === submitter && button.getAttribute("data-busy")) {
          button.textContent = button.getAttribute("data-busy");
        }
      });
    }, 0);
  });
})();
