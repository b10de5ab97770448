package org.polydesk.input.routing;

/** A VM's Num, Caps and Scroll Lock, as the keys it was sent toggled them. */
public final class LockState {
    boolean num;
    boolean caps;
    boolean scroll;

    public boolean num() {
        return num;
    }

    public boolean caps() {
        return caps;
    }

    public boolean scroll() {
        return scroll;
    }

    @Override
    public String toString() {
        return (num ? "N" : "-") + (caps ? "C" : "-") + (scroll ? "S" : "-");
    }
}
