package org.polydesk.protocol.vm;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The sound card an HVM guest sees. Its output is one stream in dom0's sound server, named after
 * the VM, and its input is the microphone, as the audio policy lets through.
 */
public enum SoundCard {
    /** Intel HD Audio with a duplex codec: what every current OS has a driver for. */
    @JsonProperty("hda") HDA,
    /** AC'97, for older guests (Windows XP, old BSDs). */
    @JsonProperty("ac97") AC97,
    @JsonProperty("none") NONE
}
