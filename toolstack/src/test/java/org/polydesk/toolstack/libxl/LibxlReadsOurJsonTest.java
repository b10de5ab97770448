package org.polydesk.toolstack.libxl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JSON the binding hands libxl for a CD change, a restore, a USB device and the USB controller, read by the installed libxenlight
 * 4.17's own {@code *_from_json} into its structs: libxl ignores a key it does not know and reads a
 * value of the wrong kind as nothing (checkpointed_stream "NONE" leaves stream_version at 1), so the
 * test looks at what ended up in each field.
 */
class LibxlReadsOurJsonTest {
    /**
     * libxl's from_json needs a context only for its allocations outside a GC and to log a refusal;
     * without Xen none can be opened, so zeroed memory stands in for it. A JSON libxl refuses then
     * crashes the probe on the null logger, which fails the test as surely as a wrong field.
     */
    private static final String PROBE = """
            #include <stdio.h>
            #include <stdlib.h>
            #include <libxl.h>
            static void disk(libxl_ctx *ctx, const char *name, const char *json) {
                libxl_device_disk d;
                libxl_device_disk_init(&d);
                printf("%s_rc %d\\n", name, libxl_device_disk_from_json(ctx, &d, json));
                printf("%s_vdev %s\\n", name, d.vdev ? d.vdev : "(null)");
                printf("%s_pdev_path [%s]\\n", name, d.pdev_path ? d.pdev_path : "(null)");
                printf("%s_format %s\\n", name, libxl_disk_format_to_string(d.format));
                printf("%s_readwrite %d\\n", name, d.readwrite);
                printf("%s_is_cdrom %d\\n", name, d.is_cdrom);
                printf("%s_removable %d\\n", name, d.removable);
                printf("%s_backend %s\\n", name, libxl_disk_backend_to_string(d.backend));
                libxl_device_disk_dispose(&d);
            }
            int main(int argc, char **argv) {
                libxl_ctx *ctx = calloc(1, 1 << 20);
                libxl_domain_restore_params p;
                disk(ctx, "insert", argv[1]);
                disk(ctx, "eject", argv[2]);
                libxl_domain_restore_params_init(&p);
                printf("restore_rc %d\\n", libxl_domain_restore_params_from_json(ctx, &p, argv[3]));
                printf("restore_checkpointed_stream %s\\n",
                       libxl_checkpointed_stream_to_string((libxl_checkpointed_stream) p.checkpointed_stream));
                printf("restore_stream_version %u\\n", p.stream_version);
                libxl_domain_restore_params_dispose(&p);
                libxl_device_usbdev u;
                libxl_device_usbdev_init(&u);
                printf("usbdev_rc %d\\n", libxl_device_usbdev_from_json(ctx, &u, argv[4]));
                printf("usbdev_type %s\\n", libxl_usbdev_type_to_string(u.type));
                printf("usbdev_host %u.%u\\n", u.u.hostdev.hostbus, u.u.hostdev.hostaddr);
                printf("usbdev_ctrl %d\\n", u.ctrl);
                printf("usbdev_port %d\\n", u.port);
                libxl_device_usbdev_dispose(&u);
                libxl_device_usbctrl c;
                libxl_device_usbctrl_init(&c);
                printf("usbctrl_rc %d\\n", libxl_device_usbctrl_from_json(ctx, &c, argv[5]));
                printf("usbctrl %s v%d ports %d devid %d\\n", libxl_usbctrl_type_to_string(c.type), c.version, c.ports, c.devid);
                libxl_device_usbctrl_dispose(&c);
                return 0;
            }
            """;

    @TempDir
    Path tmp;

    @Test
    void libxlReadsTheCdMediumTheEjectAndTheRestoreParametersIntoTheFieldsMeant() throws Exception {
        Map<String, String> read = CProbe.run(tmp, PROBE, List.of("xenlight"),
                LibxlDomainConfig.cdrom("hdc", Path.of("/var/lib/polydesk/media/debian.iso")).toString(),
                LibxlDomainConfig.cdrom("hdc", null).toString(),
                LibxlDomainConfig.restoreParams().toString(),
                LibxlDomainConfig.usbHostDevice(2, 3).toString(), LibxlDomainConfig.usbController().toString());
        assertEquals(Map.ofEntries(
                Map.entry("insert_rc", "0"), Map.entry("insert_vdev", "hdc"),
                Map.entry("insert_pdev_path", "[/var/lib/polydesk/media/debian.iso]"), Map.entry("insert_format", "raw"),
                Map.entry("insert_readwrite", "0"), Map.entry("insert_is_cdrom", "1"), Map.entry("insert_removable", "1"),
                // libxl_cdrom_insert takes the backend from the drive it finds by vdev.
                Map.entry("insert_backend", "unknown"),
                Map.entry("eject_rc", "0"), Map.entry("eject_vdev", "hdc"), Map.entry("eject_pdev_path", "[]"),
                Map.entry("eject_format", "empty"), Map.entry("eject_readwrite", "0"), Map.entry("eject_is_cdrom", "1"),
                Map.entry("eject_removable", "1"), Map.entry("eject_backend", "unknown"),
                Map.entry("restore_rc", "0"), Map.entry("restore_checkpointed_stream", "none"),
                Map.entry("restore_stream_version", "2"),
                // The controller and port are libxl's to choose (-1 and 0: none given).
                Map.entry("usbdev_rc", "0"), Map.entry("usbdev_type", "hostdev"), Map.entry("usbdev_host", "2.3"),
                Map.entry("usbdev_ctrl", "-1"), Map.entry("usbdev_port", "0"),
                Map.entry("usbctrl_rc", "0"), Map.entry("usbctrl", "devicemodel v3 ports 8 devid 0")), read);
    }
}
