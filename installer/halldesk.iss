; Inno Setup script for the Windows installer: build the PyInstaller folder first, then
;   iscc /DVersion=0.1.0 installer\halldesk.iss
; Field engineers install on every PC of the hall; the settings file stays per user.
#ifndef Version
  #define Version "0.1.0"
#endif

[Setup]
AppId={{6C1E2F0A-4D7B-4C0E-9C53-0A1B2C3D4E5F}
AppName=HallDesk
AppVersion={#Version}
AppPublisher=HallDesk
DefaultDirName={autopf}\HallDesk
DefaultGroupName=HallDesk
OutputBaseFilename=HallDesk-{#Version}-setup
Compression=lzma2
SolidCompression=yes
ArchitecturesInstallIn64BitMode=x64

[Files]
Source: "..\dist\HallDesk-{#Version}\*"; DestDir: "{app}"; Flags: recursesubdirs

[Icons]
Name: "{group}\HallDesk"; Filename: "{app}\HallDesk.exe"
Name: "{group}\HallDesk bus station (headless)"; Filename: "{app}\HallDesk.exe"; Parameters: "--headless"

[Run]
Filename: "{app}\HallDesk.exe"; Parameters: "init-db"; Flags: runhidden; StatusMsg: "Preparing the database..."
