"""The safety net: one-click SOS from wristbands and elder phones with its escalation chain,
and the daily early warning (每日研判: 反向比对, hotspots, repeats…) (issue 13)."""
