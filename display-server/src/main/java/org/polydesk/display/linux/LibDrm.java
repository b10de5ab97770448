package org.polydesk.display.linux;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;

/**
 * The display server's binding of libdrm (libdrm2, {@code xf86drm.h} and {@code xf86drmMode.h}):
 * the mode-setting calls {@link DrmCard} makes. The structures it returns are read at their C
 * offsets on 64-bit Linux (see {@link DrmCard}).
 */
interface LibDrm extends Library {
    LibDrm DRM = Native.load("drm", LibDrm.class);

    /** drmGetCap: whether the driver has dumb buffers. */
    long DRM_CAP_DUMB_BUFFER = 0x1;
    /** drmModePageFlip's flag: send a DRM_EVENT_FLIP_COMPLETE when the flip happened. */
    int DRM_MODE_PAGE_FLIP_EVENT = 0x01;
    /** The dumb buffer ioctls: DRM_IOWR(0xB2..0xB4) of struct drm_mode_create_dumb (32 bytes), map_dumb (16), destroy_dumb (4). */
    long DRM_IOCTL_MODE_CREATE_DUMB = 0xC02064B2L;
    long DRM_IOCTL_MODE_MAP_DUMB = 0xC01064B3L;
    long DRM_IOCTL_MODE_DESTROY_DUMB = 0xC00464B4L;

    int drmGetCap(int fd, long capability, LongByReference value);

    int drmSetMaster(int fd);

    int drmDropMaster(int fd);

    int drmIoctl(int fd, NativeLong request, byte[] arg);

    Pointer drmModeGetResources(int fd);

    void drmModeFreeResources(Pointer resources);

    Pointer drmModeGetConnector(int fd, int connectorId);

    /** The connector as the kernel last found it, without probing the monitor again (no EDID read). */
    Pointer drmModeGetConnectorCurrent(int fd, int connectorId);

    void drmModeFreeConnector(Pointer connector);

    Pointer drmModeGetEncoder(int fd, int encoderId);

    void drmModeFreeEncoder(Pointer encoder);

    int drmModeAddFB(int fd, int width, int height, byte depth, byte bpp, int pitch, int handle, IntByReference fbId);

    int drmModeRmFB(int fd, int fbId);

    int drmModeSetCrtc(int fd, int crtcId, int fbId, int x, int y, int[] connectors, int count, Pointer mode);

    int drmModePageFlip(int fd, int crtcId, int fbId, int flags, Pointer userData);
}
