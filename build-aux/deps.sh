# build-aux/deps.sh: the Debian 12 packages Passthrough needs, installed with
# apt-get when missing. Sourced by build-aux/run, build-aux/test and bench.

# libxml2-utils: glib-compile-resources strips XML with xmllint.
PT_BUILD_PACKAGES="meson ninja-build gcc pkg-config gettext libglib2.0-dev libglib2.0-bin
  libjson-glib-dev libpci-dev libkmod-dev pci.ids libpolkit-gobject-1-dev libxml2-utils
  libgtk-4-dev libadwaita-1-dev libvirt-glib-1.0-dev desktop-file-utils appstream yelp-tools
  itstool"
# passthroughd: the system bus and polkit.
# passthrough (the app) needs a display; yelp shows its help.
PT_RUNTIME_PACKAGES="pci.ids kmod dbus polkitd yelp"
# The libvirt tests (tests/test-vm*) drive a real libvirtd with the QEMU
# driver on qemu:///system, and virt-install --print-xml makes the domains
# they edit; qemu+ssh:// goes through a private sshd (openssh-server) to the
# same libvirtd. The UI tests run the app under Xvfb and drive it through
# AT-SPI (dogtail); screenshots go through the same session.
PT_VM_TEST_PACKAGES="libvirt-daemon-system libvirt-daemon-driver-qemu libvirt-clients
  virtinst ovmf qemu-system-x86 qemu-utils openssh-server openssh-client"
PT_UI_TEST_PACKAGES="xvfb xauth dbus-x11 at-spi2-core python3-dogtail python3-gi
  gir1.2-atspi-2.0 gir1.2-gtk-4.0 adwaita-icon-theme fonts-cantarell librsvg2-common"
# tests/test-daemon runs its own dbus-daemon and polkitd and calls as other
# users with setpriv and gdbus; test-daemon-data validates with xmllint (and
# with systemd-analyze where systemd is installed).
PT_TEST_PACKAGES="python3 kmod pciutils dbus-daemon polkitd util-linux libglib2.0-bin
  libxml2-utils"
# build-aux/test's fuzzing build (tests/fuzz, -Dfuzzing=true): clang and
# the libFuzzer runtime that -fsanitize=fuzzer links.
PT_FUZZ_PACKAGES="clang libclang-rt-14-dev"
PT_BENCH_PACKAGES="hyperfine time pciutils"
# build-aux/lab: QEMU for the guests, mke2fs for their root disk, depmod, and
# apt-get/dpkg-deb to fetch and unpack the kernel and busybox-static (which
# are downloaded into the build directory, not installed); the guests run
# this machine's userland, so what they use is here too: the system bus and
# polkitd for passthroughd, gdbus to call it.
PT_LAB_PACKAGES="qemu-system-x86 e2fsprogs kmod apt dpkg python3 dbus-daemon polkitd libglib2.0-bin"

pt_missing_packages () {
  local missing=""
  for p in "$@"; do
    if ! dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed; then
      missing="$missing $p"
    fi
  done
  echo "$missing"
}

pt_ensure_packages () {
  local missing
  missing=$(pt_missing_packages "$@")
  [ -z "$missing" ] && return 0
  echo "Installing Debian packages:$missing" >&2
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >&2
}
