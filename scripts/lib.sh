# Shared by scripts/run, scripts/test and scripts/bench: system packages and the virtualenv.
# shellcheck shell=bash

repo_root() { cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd; }

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# ensure_apt PKG...: install the Debian packages that are missing (root or sudo).
ensure_apt() {
  command -v dpkg >/dev/null 2>&1 || { log "not a Debian system: install $* yourself"; return 0; }
  local missing=()
  for p in "$@"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing system packages: ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      log "please run: apt-get install ${missing[*]}"; return 1
    fi
  fi
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Qt's xcb platform plugin, CJK fonts and speech for the windows and the hall voice.
GUI_PACKAGES=(libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-keysyms1
  libxcb-render-util0 libxcb-image0 libxcb-shape0 libxcb-randr0 libxcb-xinerama0
  libegl1 libgl1 libfontconfig1 libdbus-1-3 libglib2.0-0 fonts-wqy-zenhei
  libpulse0 speech-dispatcher espeak-ng)

# ensure_venv EXTRA: create .venv and install the project (with extras) when pyproject changed.
ensure_venv() {
  local extra="${1:-}" root; root="$(repo_root)"
  if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
    ensure_apt python3-venv
  fi
  if [ ! -x "$root/.venv/bin/python" ]; then
    log "creating the virtualenv in .venv"
    python3 -m venv "$root/.venv"
  fi
  local spec="." stamp
  [ -n "$extra" ] && spec=".[$extra]"
  stamp="$root/.venv/.installed-$(sha256sum "$root/pyproject.toml" | cut -c1-16)-${extra:-base}"
  if [ ! -f "$stamp" ]; then
    log "installing HallDesk${extra:+ with [$extra]} into .venv"
    "$root/.venv/bin/python" -m pip install -q --upgrade pip >/dev/null
    (cd "$root" && "$root/.venv/bin/python" -m pip install -q -e "$spec")
    touch "$stamp"
  fi
}
