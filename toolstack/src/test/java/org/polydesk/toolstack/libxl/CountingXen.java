package org.polydesk.toolstack.libxl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.polydesk.protocol.rpc.Json;

/**
 * A test double of libxl for {@link LibxlBackend}: domains with Xen's controller pause count (a new
 * domain holds one; an unpause with none left is refused with EINVAL, a call on a domain that is
 * gone with ESRCH, as Xen 4.17's domctl does), and the shutdown and death events of watched
 * domains. A test may hold the next domain creation to run calls while a domain is being made.
 * Nothing else of libxl is here.
 */
final class CountingXen implements Libxl {
    private static final int EINVAL = -22;
    private static final int ESRCH = -3;

    private static final class Domain {
        int pauses = 1;
        boolean shutDown;
    }

    private final Map<Integer, Domain> domains = new HashMap<>();
    private final Set<Integer> watched = new HashSet<>();
    private final BlockingQueue<LibxlEvent> events = new LinkedBlockingQueue<>();
    /** Events Xen has but libxl has not reported yet ({@link #holdEvents}). */
    private List<LibxlEvent> held;
    private int nextDomid = 1;
    /** Set by {@link #holdNextCreate}, taken by the creation it holds. */
    private CountDownLatch creating;
    private CountDownLatch createMayGoOn;
    /** The latch {@link #letCreateGoOn} opens: the last one handed out. */
    private CountDownLatch gate;

    /** The next {@link #createDomain} waits for {@link #letCreateGoOn}; the latch counts down when it has begun. */
    synchronized CountDownLatch holdNextCreate() {
        creating = new CountDownLatch(1);
        createMayGoOn = new CountDownLatch(1);
        gate = createMayGoOn;
        return creating;
    }

    void letCreateGoOn() {
        CountDownLatch go;
        synchronized (this) {
            go = gate;
        }
        go.countDown();
    }

    /** From now on events wait in Xen until {@link #reportHeldEvents}: calls may come before libxl reports one. */
    synchronized void holdEvents() {
        held = new ArrayList<>();
    }

    synchronized void reportHeldEvents() {
        events.addAll(held);
        held = null;
    }

    private void report(LibxlEvent event) {
        if (held != null) {
            held.add(event);
        } else {
            events.add(event);
        }
    }

    /** The guest in {@code domid} reboots itself (a triple fault of an HVM guest is one): the domain shuts down. */
    synchronized void guestReboots(int domid) {
        Domain d = domains.get(domid);
        d.shutDown = true;
        if (watched.contains(domid)) {
            report(new LibxlEvent(domid, LibxlEvent.Type.SHUTDOWN, LibxlEvent.REASON_REBOOT, event("shutdown")));
        }
    }

    /** Xen's controller pause count of {@code domid}, or -1 when there is no such domain. */
    synchronized int pauses(int domid) {
        Domain d = domains.get(domid);
        return d == null ? -1 : d.pauses;
    }

    synchronized List<Integer> domids() {
        return new ArrayList<>(domains.keySet());
    }

    @Override
    public int createDomain(String configJson) throws LibxlException {
        CountDownLatch begun;
        CountDownLatch go;
        synchronized (this) {
            begun = creating;
            go = createMayGoOn;
            creating = null;
            createMayGoOn = null;
        }
        if (begun != null) {
            begun.countDown();
            try {
                if (!go.await(30, TimeUnit.SECONDS)) {
                    throw new LibxlException("the test never let the creation go on", EINVAL);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LibxlException("interrupted", EINVAL);
            }
        }
        synchronized (this) {
            int domid = nextDomid++;
            domains.put(domid, new Domain());
            return domid;
        }
    }

    @Override
    public synchronized void pause(int domid) throws LibxlException {
        existing(domid, "pause").pauses++;
    }

    @Override
    public synchronized void unpause(int domid) throws LibxlException {
        Domain d = existing(domid, "unpause");
        if (d.pauses == 0) {
            throw new LibxlException("cannot unpause domain " + domid + ": Invalid argument", EINVAL);
        }
        d.pauses--;
    }

    @Override
    public synchronized void destroy(int domid) {
        if (domains.remove(domid) != null && watched.contains(domid)) {
            report(new LibxlEvent(domid, LibxlEvent.Type.DEATH, -1, event("death")));
        }
    }

    @Override
    public synchronized void watchDeath(int domid) throws LibxlException {
        existing(domid, "watch");
        watched.add(domid);
    }

    @Override
    public synchronized void unwatchDeath(int domid) {
        watched.remove(domid);
    }

    @Override
    public LibxlEvent waitEvent() throws LibxlException {
        try {
            return events.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LibxlException("interrupted", EINVAL);
        }
    }

    @Override
    public JsonNode versionInfo() {
        return Json.mapper().createObjectNode().put("xen_version_major", 4).put("xen_version_minor", 17)
                .put("xen_version_extra", ".5");
    }

    private Domain existing(int domid, String what) throws LibxlException {
        Domain d = domains.get(domid);
        if (d == null) {
            throw new LibxlException("cannot " + what + " domain " + domid + ": No such process", ESRCH);
        }
        return d;
    }

    private static JsonNode event(String type) {
        return Json.mapper().createObjectNode().put("type", type);
    }

    @Override
    public int restoreDomain(String configJson, int fd, String paramsJson) {
        throw new UnsupportedOperationException("not in this test double");
    }

    @Override
    public void suspend(int domid, int fd) {
        throw new UnsupportedOperationException("not in this test double");
    }

    @Override
    public void resumeSuspended(int domid) {
        throw new UnsupportedOperationException("not in this test double");
    }

    @Override
    public void cdromInsert(int domid, String diskJson) {
        throw new UnsupportedOperationException("not in this test double");
    }

    @Override
    public void usbdevAdd(int domid, int hostbus, int hostaddr) {
        throw new UnsupportedOperationException("not in this test double");
    }

    @Override
    public boolean usbdevRemove(int domid, int hostbus, int hostaddr) {
        throw new UnsupportedOperationException("not in this test double");
    }

    @Override
    public List<int[]> usbdevList(int domid) {
        throw new UnsupportedOperationException("not in this test double");
    }

    @Override
    public void shutdown(int domid) {
        throw new UnsupportedOperationException("not in this test double");
    }

    @Override
    public boolean reboot(int domid) {
        throw new UnsupportedOperationException("not in this test double");
    }

    @Override
    public void reset(int domid) {
        throw new UnsupportedOperationException("not in this test double");
    }

    @Override
    public List<JsonNode> listDomains() {
        throw new UnsupportedOperationException("not in this test double");
    }

    @Override
    public void pciAssignableRemove(String pciJson) {
        throw new UnsupportedOperationException("not in this test double");
    }
}
