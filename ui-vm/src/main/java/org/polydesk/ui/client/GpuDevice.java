package org.polydesk.ui.client;

/**
 * One display device of the host as the proposed {@code gpu.list} answers it.
 *
 * @param owner the id of the VM the device is assigned to, or null when dom0 keeps it
 */
public record GpuDevice(String address, String vendor, String device, Integer iommuGroup, String driver,
                        String owner, String ownerName) {
}
