package org.polydesk.protocol.usb;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.UUID;

/**
 * A USB device plugged into the host, as polydeskd sees it in sysfs. {@code port} is the kernel's
 * name of where it is plugged ({@code 1-2.3}: bus 1, port 2, then port 3 of the hub there) and is
 * how it is named in requests; {@code bus}/{@code address} change each time it is plugged in.
 * {@code vendorProduct} is {@code vvvv:pppp} in hex. {@code kind} is what it is in words (storage,
 * keyboard, mouse, video, hub…). {@code input}: a keyboard or mouse that the input server reads;
 * never handed to a VM unless a person assigns it by name. {@code vm}/{@code vmName}: the VM that
 * holds it (absent: dom0 has it).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UsbDevice(String port, int bus, int address, String vendorProduct, String serial, String manufacturer,
                        String product, String kind, String speed, boolean input, UUID vm, String vmName) {

    @com.fasterxml.jackson.annotation.JsonCreator
    public UsbDevice {
    }

    /** The same device, held by {@code vm} (null: back with dom0). */
    public UsbDevice heldBy(UUID vm, String vmName) {
        return new UsbDevice(port, bus, address, vendorProduct, serial, manufacturer, product, kind, speed, input, vm, vmName);
    }

    /** What a person calls it: the product name with its maker, else its ids. */
    public String label() {
        String name = product != null ? product : vendorProduct;
        return manufacturer != null && product != null && !product.startsWith(manufacturer) ? manufacturer + " " + name : name;
    }
}
