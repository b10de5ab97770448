-- dom0's sound server runs without a user session or D-Bus (polydesk-sound.service).
alsa_monitor.properties["alsa.reserve"] = false               -- device reservation needs D-Bus
default_access.properties["enable-flatpak-portal"] = false    -- so does the portal
v4l2_monitor.enabled = false
libcamera_monitor.enabled = false
-- polydeskd sets each VM's volume and mute; a stream must not come back as it was last time.
stream_defaults.properties["restore-props"] = false
stream_defaults.properties["restore-target"] = false
