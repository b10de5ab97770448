package org.polydesk.toolstack.libxl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * What {@link LibxlBackend} asks of libxenlight, domain by domid; {@link LibxlContext} is the one
 * that calls it. An interface so that the backend's handling of domains that end, reboot and are
 * made again while a request for them runs can be tested against a Xen that counts pauses as Xen
 * does, without Xen.
 */
interface Libxl {
    JsonNode versionInfo() throws LibxlException;

    /** Makes the domain from libxl_domain_config JSON; it is left paused (Xen's pause count 1). */
    int createDomain(String configJson) throws LibxlException;

    /** As {@link #createDomain}, its memory and state read from {@code fd}. */
    int restoreDomain(String configJson, int fd, String paramsJson) throws LibxlException;

    void suspend(int domid, int fd) throws LibxlException;

    void resumeSuspended(int domid) throws LibxlException;

    void cdromInsert(int domid, String diskJson) throws LibxlException;

    void usbdevAdd(int domid, int hostbus, int hostaddr) throws LibxlException;

    boolean usbdevRemove(int domid, int hostbus, int hostaddr) throws LibxlException;

    List<int[]> usbdevList(int domid) throws LibxlException;

    /** Takes back one pause of the controller; Xen refuses (EINVAL) when the domain holds none. */
    void unpause(int domid) throws LibxlException;

    void pause(int domid) throws LibxlException;

    void shutdown(int domid) throws LibxlException;

    boolean reboot(int domid) throws LibxlException;

    void reset(int domid) throws LibxlException;

    void destroy(int domid) throws LibxlException;

    List<JsonNode> listDomains() throws LibxlException;

    void watchDeath(int domid) throws LibxlException;

    void unwatchDeath(int domid);

    LibxlEvent waitEvent() throws LibxlException;

    void pciAssignableRemove(String pciJson) throws LibxlException;
}
