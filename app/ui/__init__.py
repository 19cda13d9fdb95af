"""Qt widgets of HallDesk: windows, dialogs, the background task lanes and the hall watcher.

The only package that imports PySide6; it calls the services, never the database.
"""
