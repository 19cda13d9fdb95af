"""The hall's serial devices wired to the use cases (the `bus` role): the device hub that
turns keypad keys, panel buttons and ratings into queue steps and keeps keypads and LED
displays showing the queue; the dispenser (issue and print a ticket); building the port
owners from the settings. The codecs and port threads themselves live in `app.devices`."""
