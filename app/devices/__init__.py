"""Hall devices: pure codecs, port owners and a simulator.

Three device families, each with a pure codec and a thread that owns its port:

* :mod:`app.devices.frame68` and :mod:`app.devices.bus` for the hall bus "68 frame"
  (caller keypads, evaluators, dispenser button panels);
* :mod:`app.devices.escpos` and :mod:`app.devices.printer` for ESC/POS ticket printers;
* :mod:`app.devices.modbus` and :mod:`app.devices.led` for Modbus RTU LED displays.

:mod:`app.devices.simulator` plays all of them on ptys or TCP ports.  Nothing here imports
Qt, the database or an upper layer; events cross threads as frozen dataclasses
(:mod:`app.devices.events`).
"""
