package org.polydesk.viewer.region;

import java.io.Closeable;
import org.polydesk.protocol.viewer.FrameRegion;
import org.polydesk.protocol.viewer.ViewerMessage;

/** The frame region this viewer made and offers dom0; closing it gives the memory back. */
public interface OfferedRegion extends Closeable {
    FrameRegion region();

    /** What HELLO says about it. */
    ViewerMessage.Region offer();
}
