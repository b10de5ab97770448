package org.polydesk.ui.form;

/** The parts of the VM form a validation message can be shown beside. */
public enum Field {
    NAME, SLOT, COLOUR, MEMORY, VCPUS, FIRMWARE, DISK, CDROM, NETWORK, BOOT,
    /** The OS profile's machine settings: Hyper-V, boot order, clock, tablet, Secure Boot, TPM. */
    MACHINE,
    /** Problems that belong to no one field (display size, PCI devices, …): shown above the buttons. */
    GENERAL
}
