package org.polydesk.protocol.toolstack;

import java.util.List;
import org.polydesk.protocol.usb.UsbRule;
import org.polydesk.protocol.vm.VmDefinition;

/**
 * What an xl.cfg import produced. Polydesk's own fields (slot, colour, display size, autostart) are
 * left unset or at their defaults for the caller to assign.
 *
 * @param unsupported every key, or option inside a list entry, that the definition does not hold
 * @param notes choices the import made that a person should know of, such as which device became the GPU
 * @param usbRules the host USB devices the file gives the VM (usbdevice "host:VVVV:PPPP"), as rules
 *     without their VM: the caller adds them (usb.rule.add) once the VM is created
 */
public record XlImportResult(VmDefinition definition, List<ImportRemark> unsupported, List<ImportRemark> notes,
                             List<UsbRule> usbRules) {

    public XlImportResult {
        unsupported = List.copyOf(unsupported);
        notes = List.copyOf(notes);
        usbRules = usbRules == null ? List.of() : List.copyOf(usbRules);
    }
}
