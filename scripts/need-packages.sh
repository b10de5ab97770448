# shellcheck shell=bash
# Sourced by every script that installs its own tools: need_packages PACKAGE... installs with apt
# what is missing (as root, or through sudo), refreshing the package lists only when needed.
need_packages() {
    local missing=() p sudo=
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    [ "$(id -u)" = 0 ] || sudo=sudo
    echo "installing ${missing[*]}" >&2
    if ! DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}" >&2; then
        $sudo apt-get update -q >&2
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}" >&2 || {
            echo "error: apt-get install ${missing[*]} failed" >&2
            return 1
        }
    fi
}
