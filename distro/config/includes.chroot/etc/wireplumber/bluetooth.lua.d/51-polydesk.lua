-- Bluetooth audio needs BlueZ and logind on D-Bus, which dom0's sound server does not have.
bluez_monitor.enabled = false
