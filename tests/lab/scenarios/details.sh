# Scenario: the whole host model against the real kernel.  `passthroughctl
# snapshot` (every attribute the scanner reads, the config-space
# capabilities, the modules each device would load, the host facts) is
# compared with sysfs, the kernel's reset methods and link attributes,
# lspci -vvv, modprobe -R and /proc, first as the host boots and again (but
# modprobe -R) with the clean GPU's group on vfio-pci, its driver_override
# set and the host drivers loaded; the snapshot read
# back must give the same groups, gpus and status as the live host.
. "$PT_LAB/guest/lib.sh"

lab_expect "snapshot" details "$PT_CTL"
modprobe bochs 2>/dev/null || modprobe bochs-drm
modprobe snd_hda_intel
group=$(lab_group "$PT_clean_gpu")
lab_shell_bind "$group"
lab_expect "snapshot while bound" details "$PT_CTL" --quick
lab_shell_unbind "$group"
lab_done
