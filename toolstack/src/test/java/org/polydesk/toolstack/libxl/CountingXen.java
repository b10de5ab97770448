package org.polydesk.toolstack.libxl;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * domains; an HVM domain's device model as far as the backend sees it: its QMP socket listening,
 * the media in its CD drives and the host's USB devices it was given. A test may hold the next
 * domain creation to run calls while a domain is being made, and list the domains an earlier daemon
 * made. Nothing else of libxl is here.
 */
final class CountingXen implements Libxl {
    private static final int EINVAL = -22;
    private static final int ESRCH = -3;

    private static final class Domain {
        int pauses = 1;
        boolean shutDown;
        /** Each drive's medium by vdev ("": empty). */
        final Map<String, String> media = new HashMap<>();
        final Set<List<Integer>> usb = new HashSet<>();
        /** The device model's QMP socket, for an HVM domain. */
        ServerSocketChannel qmp;
        Path qmpPath;
        /** The VM's UUID, for a domain listed by {@link #listDomains}. */
        String uuid;
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

    /** A call of the backend's, run by a test while a domain is made again. */
    @FunctionalInterface
    interface Call {
        void run() throws Exception;
    }

    /**
     * The guest in {@code domid} reboots, and {@code call} is made on a thread of its own while the
     * domain for the reboot is being made (the old one gone): it may wait for that domain, then the
     * creation goes on. What the call threw, or null.
     */
    Exception callWhileRemaking(int domid, Call call) throws InterruptedException {
        CountDownLatch creating = holdNextCreate();
        guestReboots(domid);
        if (!creating.await(10, TimeUnit.SECONDS)) {
            throw new AssertionError("the reboot's domain was not being made");
        }
        // The call waits for the domain being made (the backend holds the domain's lock meanwhile).
        BlockingCall caller = BlockingCall.start("call-while-remaking", call);
        letCreateGoOn();
        return caller.join();
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

    /** A running domain that an earlier polydeskd made from {@code configJson}, listed with the VM's UUID. */
    int runningDomainOf(java.util.UUID vm, String configJson) throws LibxlException {
        int domid = createDomain(configJson);
        synchronized (this) {
            domains.get(domid).pauses = 0;
            domains.get(domid).uuid = vm.toString();
        }
        return domid;
    }

    /** Xen's controller pause count of {@code domid}, or -1 when there is no such domain. */
    synchronized int pauses(int domid) {
        Domain d = domains.get(domid);
        return d == null ? -1 : d.pauses;
    }

    synchronized List<Integer> domids() {
        return new ArrayList<>(domains.keySet());
    }

    /** The medium in drive {@code vdev} of {@code domid} ("": empty), or null when it has no such drive. */
    synchronized String medium(int domid, String vdev) {
        return domains.get(domid).media.get(vdev);
    }

    /** The host's USB devices (bus, address) {@code domid} holds. */
    synchronized Set<List<Integer>> usb(int domid) {
        return new HashSet<>(domains.get(domid).usb);
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
            Domain d = new Domain();
            JsonNode config;
            try {
                config = Json.mapper().readTree(configJson);
            } catch (IOException e) {
                throw new LibxlException("not a domain configuration: " + e.getMessage(), EINVAL);
            }
            for (JsonNode disk : config.path("disks")) {
                d.media.put(disk.path("vdev").asText(), disk.path("pdev_path").asText(""));
            }
            for (JsonNode arg : config.path("b_info").path("extra_hvm")) {
                if (arg.asText().startsWith("unix:") && arg.asText().contains("qmp")) {
                    listen(d, Path.of(arg.asText().substring(5).split(",")[0]));
                }
            }
            int domid = nextDomid++;
            domains.put(domid, d);
            return domid;
        }
    }

    /** The device model opens its QMP socket (where the last one's was, for a domain made again). */
    private static void listen(Domain d, Path socket) throws LibxlException {
        try {
            Files.deleteIfExists(socket);
            d.qmp = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(socket));
            d.qmpPath = socket;
        } catch (IOException e) {
            throw new LibxlException("the device model cannot listen on " + socket + ": " + e.getMessage(), EINVAL);
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
        Domain d = domains.remove(domid);
        if (d != null && d.qmp != null) {
            try {
                d.qmp.close();
                Files.deleteIfExists(d.qmpPath);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        if (d != null && watched.contains(domid)) {
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

    /** libxl finds the drive by vdev; a domain without it is refused, as libxl refuses it. */
    @Override
    public synchronized void cdromInsert(int domid, String diskJson) throws LibxlException {
        Domain d = existing(domid, "change a CD of");
        JsonNode disk;
        try {
            disk = Json.mapper().readTree(diskJson);
        } catch (IOException e) {
            throw new LibxlException("not a disk: " + e.getMessage(), EINVAL);
        }
        String vdev = disk.path("vdev").asText();
        if (!d.media.containsKey(vdev)) {
            throw new LibxlException("domain " + domid + " has no drive " + vdev, EINVAL);
        }
        d.media.put(vdev, disk.path("pdev_path").asText(""));
    }

    @Override
    public synchronized void usbdevAdd(int domid, int hostbus, int hostaddr) throws LibxlException {
        existing(domid, "give a USB device to").usb.add(List.of(hostbus, hostaddr));
    }

    @Override
    public synchronized boolean usbdevRemove(int domid, int hostbus, int hostaddr) throws LibxlException {
        return existing(domid, "take a USB device from").usb.remove(List.of(hostbus, hostaddr));
    }

    @Override
    public synchronized List<int[]> usbdevList(int domid) throws LibxlException {
        return existing(domid, "list the USB devices of").usb.stream().map(a -> new int[] {a.get(0), a.get(1)}).toList();
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

    /** The domains made by {@link #runningDomainOf}, as libxl_list_domain lists them. */
    @Override
    public synchronized List<JsonNode> listDomains() {
        List<JsonNode> listed = new ArrayList<>();
        domains.forEach((domid, d) -> {
            if (d.uuid != null) {
                listed.add(Json.mapper().createObjectNode().put("domid", domid).put("uuid", d.uuid).put("dying", false));
            }
        });
        return listed;
    }

    @Override
    public void pciAssignableRemove(String pciJson) {
        throw new UnsupportedOperationException("not in this test double");
    }
}
