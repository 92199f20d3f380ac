; Inno Setup script for Welcome Desk on Windows: installs the PyInstaller one-folder bundle
; for the current user only (no administrator rights). Build steps: installer/windows/README.md.
; Keep AppVersion in step with pyproject.toml (a unit test checks it).

#define AppName "Welcome Desk"
#define AppVersion "0.1.0"
#define AppExe "welcome-desk.exe"
#define BundleDir "..\..\dist\welcome-desk"

[Setup]
; A fixed AppId lets later versions update this installation in place.
AppId={{5C0E4F4B-6B1E-4D55-9D3A-8E2B7A9E1D21}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=Welcome Desk contributors
DefaultDirName={autopf}\Welcome Desk
DefaultGroupName=Welcome Desk
; Per-user install: {autopf} resolves to %LOCALAPPDATA%\Programs, no UAC prompt.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=welcome-desk-{#AppVersion}-windows-setup
SetupIconFile=..\..\resources\icons\welcome-desk.ico
UninstallDisplayIcon={app}\{#AppExe}
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
; The user's data (%LOCALAPPDATA%\WelcomeDesk) is never part of the installation: uninstalling
; leaves it in place, so a reinstall opens the same encrypted store.

[Languages]
Name: "german"; MessagesFile: "compiler:Languages\German.isl"
Name: "bulgarian"; MessagesFile: "compiler:Languages\Bulgarian.isl"
Name: "romanian"; MessagesFile: "compiler:Languages\Romanian.isl"
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
