package org.polydesk.toolstack.libxl;

import org.polydesk.toolstack.linux.LibC;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The struct sizes the binding relies on, against the installed Xen 4.17 headers (libxen-dev). */
class LibxlStructSizesTest {
    @TempDir
    Path tmp;

    @Test
    void theBindingsSizesMatchTheInstalledHeaders() throws Exception {
        Map<String, String> probed = CProbe.run(tmp, """
                #include <stdio.h>
                #include <stddef.h>
                #include <fcntl.h>
                #include <libxl.h>
                int main(void) {
                    printf("domain_config %zu\\n", sizeof(libxl_domain_config));
                    printf("dominfo %zu\\n", sizeof(libxl_dominfo));
                    printf("event %zu\\n", sizeof(libxl_event));
                    printf("device_pci %zu\\n", sizeof(libxl_device_pci));
                    printf("childproc_hooks %zu\\n", sizeof(libxl_childproc_hooks));
                    printf("device_disk %zu\\n", sizeof(libxl_device_disk));
                    printf("domain_restore_params %zu\\n", sizeof(libxl_domain_restore_params));
                    printf("device_usbdev %zu\\n", sizeof(libxl_device_usbdev));
                    printf("usbdev_hostbus %zu\\n", offsetof(libxl_device_usbdev, u.hostdev.hostbus));
                    printf("usbdev_hostaddr %zu\\n", offsetof(libxl_device_usbdev, u.hostdev.hostaddr));
                    printf("sigchld_selective %d\\n", (int) libxl_sigchld_owner_libxl_always_selective_reap);
                    printf("trigger_power %d\\n", (int) LIBXL_TRIGGER_POWER);
                    printf("error_noparavirt %d\\n", ERROR_NOPARAVIRT);
                    printf("error_domain_notfound %d\\n", ERROR_DOMAIN_NOTFOUND);
                    printf("libxl_version %d\\n", LIBXL_VERSION);
                    printf("event_domid %zu\\n", offsetof(libxl_event, domid));
                    printf("event_type %zu\\n", offsetof(libxl_event, type));
                    printf("event_union %zu\\n", offsetof(libxl_event, u));
                    printf("shutdown_reason_at_union_start %d\\n",
                           (int) (offsetof(libxl_event, u.domain_shutdown.shutdown_reason) - offsetof(libxl_event, u)));
                    printf("event_shutdown %d\\n", (int) LIBXL_EVENT_TYPE_DOMAIN_SHUTDOWN);
                    printf("event_death %d\\n", (int) LIBXL_EVENT_TYPE_DOMAIN_DEATH);
                    printf("reason_poweroff %d\\n", (int) LIBXL_SHUTDOWN_REASON_POWEROFF);
                    printf("reason_reboot %d\\n", (int) LIBXL_SHUTDOWN_REASON_REBOOT);
                    printf("reason_suspend %d\\n", (int) LIBXL_SHUTDOWN_REASON_SUSPEND);
                    printf("reason_crash %d\\n", (int) LIBXL_SHUTDOWN_REASON_CRASH);
                    printf("reason_watchdog %d\\n", (int) LIBXL_SHUTDOWN_REASON_WATCHDOG);
                    printf("o_rdonly %d\\n", O_RDONLY);
                    printf("o_wronly %d\\n", O_WRONLY);
                    printf("o_creat %d\\n", O_CREAT);
                    printf("o_trunc %d\\n", O_TRUNC);
                    printf("o_cloexec %d\\n", O_CLOEXEC);
                    return 0;
                }
                """, List.of());
        Map<String, Integer> actual = new HashMap<>();
        probed.forEach((k, v) -> actual.put(k, Integer.parseInt(v)));

        assertEquals(actual.get("domain_config"), LibxlNative.SIZEOF_DOMAIN_CONFIG, "sizeof(libxl_domain_config)");
        assertEquals(actual.get("dominfo"), LibxlNative.SIZEOF_DOMINFO, "sizeof(libxl_dominfo)");
        assertEquals(actual.get("event"), LibxlNative.SIZEOF_EVENT, "sizeof(libxl_event)");
        assertEquals(actual.get("device_pci"), LibxlNative.SIZEOF_DEVICE_PCI, "sizeof(libxl_device_pci)");
        assertEquals(actual.get("childproc_hooks"), LibxlNative.SIZEOF_CHILDPROC_HOOKS, "sizeof(libxl_childproc_hooks)");
        assertEquals(actual.get("device_disk"), LibxlNative.SIZEOF_DEVICE_DISK, "sizeof(libxl_device_disk)");
        assertEquals(actual.get("domain_restore_params"), LibxlNative.SIZEOF_DOMAIN_RESTORE_PARAMS,
                "sizeof(libxl_domain_restore_params)");
        assertEquals(actual.get("device_usbdev"), LibxlNative.SIZEOF_DEVICE_USBDEV, "sizeof(libxl_device_usbdev)");
        assertEquals(actual.get("usbdev_hostbus"), LibxlNative.OFFSET_USBDEV_HOSTBUS, "offsetof(libxl_device_usbdev, u.hostdev.hostbus)");
        assertEquals(actual.get("usbdev_hostaddr"), LibxlNative.OFFSET_USBDEV_HOSTBUS + 1, "hostaddr is the byte after hostbus");
        assertEquals(actual.get("sigchld_selective"), LibxlNative.SIGCHLD_OWNER_LIBXL_ALWAYS_SELECTIVE_REAP);
        assertEquals(actual.get("trigger_power"), LibxlNative.TRIGGER_POWER);
        assertEquals(actual.get("error_noparavirt"), LibxlNative.ERROR_NOPARAVIRT);
        assertEquals(actual.get("error_domain_notfound"), LibxlNative.ERROR_DOMAIN_NOTFOUND);
        assertEquals(actual.get("libxl_version"), LibxlNative.LIBXL_VERSION);
        assertEquals(actual.get("event_domid"), LibxlNative.OFFSET_EVENT_DOMID, "offsetof(libxl_event, domid)");
        assertEquals(actual.get("event_type"), LibxlNative.OFFSET_EVENT_TYPE, "offsetof(libxl_event, type)");
        assertEquals(actual.get("event_union"), LibxlNative.OFFSET_EVENT_UNION, "offsetof(libxl_event, u)");
        assertEquals(0, actual.get("shutdown_reason_at_union_start"));
        assertEquals(actual.get("event_shutdown"), LibxlNative.EVENT_TYPE_DOMAIN_SHUTDOWN);
        assertEquals(actual.get("event_death"), LibxlNative.EVENT_TYPE_DOMAIN_DEATH);
        assertEquals(actual.get("reason_poweroff"), LibxlEvent.REASON_POWEROFF);
        assertEquals(actual.get("reason_reboot"), LibxlEvent.REASON_REBOOT);
        assertEquals(actual.get("reason_suspend"), LibxlEvent.REASON_SUSPEND);
        assertEquals(actual.get("reason_crash"), LibxlEvent.REASON_CRASH);
        assertEquals(actual.get("reason_watchdog"), LibxlEvent.REASON_WATCHDOG);
        assertEquals(actual.get("o_rdonly"), LibC.O_RDONLY, "O_RDONLY");
        assertEquals(actual.get("o_wronly"), LibC.O_WRONLY, "O_WRONLY");
        assertEquals(actual.get("o_creat"), LibC.O_CREAT, "O_CREAT");
        assertEquals(actual.get("o_trunc"), LibC.O_TRUNC, "O_TRUNC");
        assertEquals(actual.get("o_cloexec"), LibC.O_CLOEXEC, "O_CLOEXEC");
    }
}
