package org.polydesk.display.gnttab;

import java.io.IOException;

/** Maps pages that another domain granted to dom0. */
public interface GrantMapper {
    /**
     * Maps {@code refs}, granted by domain {@code domid}, read-write and one after another in
     * dom0's memory. Fails when any of them is not granted to dom0 by that domain.
     */
    GrantMapping map(int domid, int[] refs) throws IOException;
}
