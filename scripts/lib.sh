# Shared by scripts/run and scripts/test: install what is missing, skip what is there.

log() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# apt_install PKG...: install the Debian packages that are not installed yet.
apt_install() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        log "installing ${missing[*]}"
        local sudo=""
        [ "$(id -u)" -ne 0 ] && sudo="sudo"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
    fi
}

# check_free_disk GB: stop with a clear message when the build folder's disk has less free.
check_free_disk() {
    local need_gb=$1 free_kb
    free_kb=$(df -Pk . | awk 'NR == 2 { print $4 }')
    if [ -n "$free_kb" ] && [ "$free_kb" -lt $((need_gb * 1024 * 1024)) ]; then
        echo "only $((free_kb / 1024 / 1024)) GB free here; a build needs about $need_gb GB (target/)" >&2
        exit 1
    fi
}

ensure_rust() {
    if ! command -v cargo >/dev/null 2>&1; then
        [ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
    fi
    command -v cargo >/dev/null 2>&1 || {
        echo "cargo not found: install Rust (rustup) first" >&2
        exit 1
    }
    for component in rustfmt clippy; do
        if ! rustup component list --installed 2>/dev/null | grep -q "^$component"; then
            rustup component add "$component"
        fi
    done
}

ensure_build_tools() {
    # cc builds the bundled SQLite; nasm the SIMD parts of libjpeg-turbo (anju-media).
    command -v cc >/dev/null 2>&1 && command -v pkg-config >/dev/null 2>&1 \
        && command -v nasm >/dev/null 2>&1 \
        || apt_install build-essential pkg-config nasm
}

# What Tauri 2 needs to build the field app on Debian (WebKitGTK 4.1 and friends).
ensure_tauri_build_deps() {
    apt_install libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev \
        libxdo-dev libssl-dev
}

# Node.js and npm for the front end (ui/), and its packages from package-lock.json.
ensure_ui_packages() {
    command -v npm >/dev/null 2>&1 || apt_install nodejs npm
    if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
        log "installing the front end's packages (npm ci)"
        (cd ui && npm ci --no-audit --no-fund)
    fi
}

# The front end built into ui/dist, which the field app embeds.
build_ui() {
    log "building the front end (ui/dist)"
    (cd ui && npx --no-install vite build --logLevel warn)
}

# The office pages built into ui/dist-office, which `anju-office serve` serves at /.
build_office_pages() {
    log "building the office pages (ui/dist-office)"
    (cd ui && npx --no-install vite build -c vite.office.config.ts --logLevel warn)
}

# What the office needs to print forms to PDF (Chromium, with Chinese fonts), and what
# the office pages' browser test needs (the same Chromium; pdftoppm to look at the PDF).
ensure_office_tools() {
    apt_install chromium fonts-noto-cjk poppler-utils
}

# Driving the real app: a virtual display, WebKit's WebDriver and tauri-driver.
ensure_app_test_tools() {
    apt_install xvfb webkit2gtk-driver
    if ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
        log "installing tauri-driver"
        cargo install tauri-driver@2.1.0 --locked
    fi
}

# PostgreSQL from Debian's packages, for the office on PostgreSQL and its tests.
ensure_postgres() {
    apt_install postgresql
}

# start_test_postgres: a throwaway PostgreSQL server for the tests, in a temporary folder,
# on a free loopback port, stopped when the calling script exits. Exports
# ANJU_TEST_POSTGRES (a URL of its `postgres` database, where the tests create their own
# databases). The server refuses to run as root, so as root it runs as `postgres`.
start_test_postgres() {
    local bin
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
    [ -x "$bin/initdb" ] || { echo "PostgreSQL's initdb not found under /usr/lib/postgresql" >&2; exit 1; }
    ANJU_PG_DIR=$(mktemp -d /tmp/anju-pg.XXXXXX)
    local as=()
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$ANJU_PG_DIR"
        as=(runuser -u postgres --)
    fi
    local port
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "${as[@]}" "$bin/initdb" -D "$ANJU_PG_DIR/data" -U anju --auth=trust -E UTF8 --no-locale >/dev/null
    "${as[@]}" "$bin/pg_ctl" -D "$ANJU_PG_DIR/data" -l "$ANJU_PG_DIR/server.log" -w \
        -o "-p $port -k $ANJU_PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" \
        start >/dev/null
    ANJU_PG_BIN=$bin
    ANJU_PG_AS=("${as[@]}")
    export ANJU_TEST_POSTGRES="postgres://anju@127.0.0.1:$port/postgres"
    trap stop_test_postgres EXIT
    log "PostgreSQL for the tests: $ANJU_TEST_POSTGRES (log $ANJU_PG_DIR/server.log)"
}

stop_test_postgres() {
    if [ -n "${ANJU_PG_DIR:-}" ] && [ -d "$ANJU_PG_DIR/data" ]; then
        "${ANJU_PG_AS[@]}" "$ANJU_PG_BIN/pg_ctl" -D "$ANJU_PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
        rm -rf "$ANJU_PG_DIR"
    fi
}

# Garage 2.5, the S3-compatible object store the office's S3 blob store is tested against
# (its tests start their own server). Built from source: about 15 minutes on 2 cores the
# first time, then kept in ~/.cargo/bin between runs.
ensure_garage() {
    local garage
    garage=$(command -v garage 2>/dev/null || echo "$HOME/.cargo/bin/garage")
    if [ -x "$garage" ] && "$garage" --version 2>/dev/null | grep -Eq '(^| |v)2\.5\.'; then
        return
    fi
    log "installing garage 2.5 (the object store the S3 blob tests run against; ~15 min)"
    cargo install garage --locked --version 2.5.0
}
