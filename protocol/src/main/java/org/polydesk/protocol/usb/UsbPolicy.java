package org.polydesk.protocol.usb;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Where a newly plugged device goes when no rule names it. */
public enum UsbPolicy {
    /** To the VM in front (the default); dom0 keeps it while the control UI is in front. */
    @JsonProperty("focused") FOCUSED,
    /** dom0 keeps it and the UI asks the person where it should go. */
    @JsonProperty("ask") ASK,
    /** dom0 keeps it. */
    @JsonProperty("dom0") DOM0
}
