package org.polydesk.toolstack.xlcfg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class XlDiskSpecTest {

    private static XlDiskSpec parse(String spec) throws XlConfigException {
        return XlDiskSpec.parse(spec, 7);
    }

    private static List<String> ignoredNames(XlDiskSpec spec) {
        return spec.ignored().stream().map(DeviceOption::name).toList();
    }

    @Test
    void positionalWithADeprecatedPrefixIsTargetVdevAccess() throws XlConfigException {
        assertEquals(new XlDiskSpec("/dev/vg0/win", null, "hda", false, false, List.of()),
                parse("phy:/dev/vg0/win,hda,w"));
        assertEquals(new XlDiskSpec("/srv/x.img", null, "xvda", false, true, List.of()),
                parse("tap:aio:/srv/x.img,xvda,r"));
        assertEquals(new XlDiskSpec("/srv/x.qcow2", "qcow2", "xvdb", false, false, List.of()),
                parse("qcow2:/srv/x.qcow2,xvdb,rw"));
    }

    @Test
    void positionalWithoutPrefixIsTargetFormatVdevAccess() throws XlConfigException {
        assertEquals(new XlDiskSpec("/srv/a.qcow2", "qcow2", "xvda", false, true, List.of()),
                parse("/srv/a.qcow2,qcow2,xvda,ro"));
        assertEquals(new XlDiskSpec("/srv/w.iso", "raw", "hdc", true, true, List.of()),
                parse("/srv/w.iso,,hdc:cdrom,r"));
    }

    @Test
    void anEmptyTargetBeforeACdromVdevIsADriveWithoutMedia() throws XlConfigException {
        assertEquals(new XlDiskSpec("", "empty", "hdc", true, true, List.of()), parse(",hdc:cdrom,r"));
    }

    @Test
    void keyValueFormAllowsBlanksAndCommasInTheLastTarget() throws XlConfigException {
        assertEquals(new XlDiskSpec("/srv/a,b.img", "vhd", "xvdb", false, true, List.of()),
                parse("format=vhd, vdev=xvdb, access=ro, target=/srv/a,b.img"));
        assertEquals(new XlDiskSpec("/srv/w.iso", null, "hdc", true, false, List.of()),
                parse("vdev=hdc, devtype=cdrom, target=/srv/w.iso"));
        assertEquals(new XlDiskSpec("/srv/w.iso", null, "hdd", true, false, List.of()),
                parse("/srv/w.iso, vdev=hdd, cdrom"));
    }

    @Test
    void optionsAPolydeskDiskCannotHoldAreNamed() throws XlConfigException {
        XlDiskSpec spec = parse("backendtype=phy, discard, script=block-drbd, vdev=xvda, target=/dev/sdb");
        assertEquals(List.of("backendtype", "discard", "script"), ignoredNames(spec));
        assertEquals("/dev/sdb", spec.target());
        assertEquals(List.of("iscsi:"), ignoredNames(parse("iscsi:iqn.2001-04.com.example:disk1,xvda,w")));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            foo=bar,target=/x        | unknown parameter 'foo=bar'
            /x,raw,xvda,w,extra      | too many positional parameters at 'extra'
            format=bogus,target=/x   | unknown format 'bogus' (expected raw, qcow, qcow2, vhd, qed or empty)
            xyz:/srv/a.img,xvda      | unknown deprecated disk prefix 'xyz:'
            format=raw,vdev=xvda     | no target (image file or device) is given
            /x,raw,xvda,maybe        | unknown access 'maybe' (expected r, ro, w or rw)
            /x,raw,hdc:floppy        | unknown device type in 'hdc:floppy' (expected :cdrom or :disk)
            vdev=xvda,vdev=xvdb,target=/x | vdev given twice ('xvda' and 'xvdb')
            """)
    void entriesXlRefusesAreRefusedWithLineAndEntry(String spec, String problem) {
        XlConfigException e = assertThrows(XlConfigException.class, () -> parse(spec));
        assertEquals(7, e.line());
        assertEquals("line 7: disk '" + spec + "': " + problem, e.getMessage());
    }
}
