package org.polydesk.protocol.usb;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.UUID;

/**
 * Sends a device to {@code vm} whenever it is plugged in (and when the VM starts with it present).
 * It matches either by what the device is — {@code vendorProduct} ({@code vvvv:pppp}), and
 * {@code serial} when given — or by where it is plugged ({@code port}, as in {@link UsbDevice#port}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UsbRule(UUID vm, String vmName, String vendorProduct, String serial, String port) {
    public static final String VM = "vm", VENDOR_PRODUCT = "vendorProduct", SERIAL = "serial", PORT = "port";

    @com.fasterxml.jackson.annotation.JsonCreator
    public UsbRule {
    }

    public boolean matches(UsbDevice d) {
        if (port != null) {
            return port.equals(d.port());
        }
        return vendorProduct != null && vendorProduct.equalsIgnoreCase(d.vendorProduct())
                && (serial == null || serial.equals(d.serial()));
    }

    /** The same rule (the VM's name aside). */
    public boolean sameAs(UsbRule o) {
        return java.util.Objects.equals(vm, o.vm) && eq(vendorProduct, o.vendorProduct) && java.util.Objects.equals(serial, o.serial)
                && java.util.Objects.equals(port, o.port);
    }

    private static boolean eq(String a, String b) {
        return a == null ? b == null : a.equalsIgnoreCase(b);
    }

    /** The rule in words: "0781:5567 (serial 4C53…)" or "port 1-2". */
    public String describe() {
        return port != null ? "port " + port : vendorProduct + (serial != null ? " (serial " + serial + ")" : "");
    }
}
