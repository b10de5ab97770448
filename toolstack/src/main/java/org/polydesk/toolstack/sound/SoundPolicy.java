package org.polydesk.toolstack.sound;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Logger;
import org.polydesk.protocol.audio.AudioChange;
import org.polydesk.protocol.audio.AudioEvent;
import org.polydesk.protocol.audio.AudioPolicy;
import org.polydesk.protocol.audio.AudioStatus;
import org.polydesk.protocol.audio.VmAudio;
import org.polydesk.protocol.rpc.Backoff;
import org.polydesk.protocol.rpc.ErrorCode;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.protocol.rpc.RpcException;
import org.polydesk.protocol.vm.VmStatus;
import org.polydesk.toolstack.definition.AtomicFile;
import org.polydesk.toolstack.events.Subscribers;

/**
 * The audio policy, applied to the VMs' streams in dom0's sound server. A VM's streams are those
 * its QEMU made (their process id is the VM's); with policy {@code focused} only the VM in front
 * is heard, with {@code mix} all are; each VM's own volume and mute apply on top; a VM's
 * microphone input gets sound only while it is in front and may have it. The settings are stored
 * atomically in one file. The server is followed by {@code pactl subscribe}: each new stream is
 * set as the policy says the moment it appears, and a server that goes away is looked for again
 * after 1 s, then less often, at least every 5 s (an event says it went and came back). Streams
 * of other programs are left alone.
 */
public final class SoundPolicy implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SoundPolicy.class.getName());
    /** How soon the server is looked for again: 1 s after it went, then less often, at least every 5 s. */
    private static final Backoff RETRY = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(5));

    /** What is stored: the policy and each VM's settings. */
    record Stored(AudioPolicy policy, List<VmAudio> vms) {
    }

    private final Pactl pactl;
    private final Path file;
    private final Supplier<List<VmStatus>> vms;
    private final Subscribers<AudioEvent> subscribers = new Subscribers<>("audio event");
    private AudioPolicy policy = AudioPolicy.FOCUSED;
    private final Map<UUID, VmAudio> settings = new LinkedHashMap<>();
    private volatile UUID focused;
    private volatile boolean serverUp;
    private volatile String problem = "not looked for yet";
    private volatile boolean closed;
    private volatile Process subscription;
    /**
     * The streams as last read, kept by the subscription (read again on each stream that comes,
     * goes or changes) and by what the policy sets: a focus change then costs only the calls that
     * change something, not a read of every stream first.
     */
    private List<Pactl.Stream> streams = List.of();
    /** Grows with each change the policy makes: a read begun before one is stale and dropped. */
    private long changes;
    private Thread watcher;

    /**
     * {@code server}: the sound server's PulseAudio socket; {@code file}: where the settings are
     * stored; {@code vms}: the VMs as polydeskd has them (their process ids).
     */
    public SoundPolicy(String pactlBinary, Path server, Path file, Supplier<List<VmStatus>> vms) throws IOException {
        this.pactl = new Pactl(pactlBinary, "unix:" + server);
        this.file = file;
        this.vms = vms;
        if (Files.exists(file)) {
            Stored s = Json.mapper().readValue(Files.readString(file), Stored.class);
            policy = s.policy() == null ? AudioPolicy.FOCUSED : s.policy();
            if (s.vms() != null) {
                s.vms().forEach(v -> settings.put(v.vm(), v));
            }
        }
    }

    /** Told when the server comes or goes and when the settings change; the Runnable cancels. */
    public Runnable subscribe(Consumer<AudioEvent> subscriber) {
        return subscribers.subscribe(subscriber);
    }

    private void publish(AudioEvent event) {
        subscribers.publish(event);
    }

    public SoundPolicy start() {
        watcher = new Thread(this::watch, "sound-policy");
        watcher.setDaemon(true);
        watcher.start();
        return this;
    }

    /** The VM now in front ({@code null}: the control UI); its streams are set at once. */
    public void focus(UUID vm) {
        boolean moved = !java.util.Objects.equals(focused, vm);
        focused = vm;
        apply();
        if (moved) {
            publish(new AudioEvent(AudioEvent.Type.CHANGED, "the VM in front changed"));
        }
    }

    public synchronized AudioStatus status() {
        List<Pactl.Stream> streams = new ArrayList<>();
        if (serverUp) {
            try {
                streams.addAll(pactl.streams(Pactl.Kind.PLAYBACK));
                streams.addAll(pactl.streams(Pactl.Kind.RECORDING));
            } catch (SoundException e) {
                LOG.fine(e.getMessage());
            }
        }
        List<AudioStatus.Vm> out = new ArrayList<>();
        for (VmStatus v : vms.get()) {
            UUID id = v.definition().id();
            VmAudio a = settingsOf(id);
            List<Pactl.Stream> mine = streams.stream().filter(s -> v.pid() != null && s.pid() == v.pid()).toList();
            List<Pactl.Stream> playing = mine.stream().filter(s -> s.kind() == Pactl.Kind.PLAYBACK).toList();
            boolean heard = playing.stream().anyMatch(s -> !s.muted() && s.volume() > 0);
            boolean listening = mine.stream().anyMatch(s -> s.kind() == Pactl.Kind.RECORDING && !s.muted());
            out.add(new AudioStatus.Vm(id, v.definition().name(), a.volume(), a.muted(), a.microphone(), playing.size(),
                    heard, listening));
        }
        return new AudioStatus(serverUp, pactl.server(), serverUp ? null : problem, policy, focused, out);
    }

    /** Changes the policy and/or one VM's settings; stored, then applied. */
    public AudioStatus set(AudioChange change) throws RpcException {
        if (change == null) {
            throw RpcException.invalidParam(AudioChange.POLICY, "nothing to change");
        }
        synchronized (this) {
            AudioPolicy newPolicy = change.policy() == null ? policy : change.policy();
            Map<UUID, VmAudio> next = new LinkedHashMap<>(settings);
            if (change.vm() != null) {
                UUID id = resolve(change.vm());
                VmAudio a = settingsOf(id);
                if (change.volume() != null && (change.volume() < 0 || change.volume() > VmAudio.MAX_VOLUME)) {
                    throw RpcException.invalidParam(AudioChange.VOLUME, "a volume is 0 to " + VmAudio.MAX_VOLUME
                            + " (%), not " + change.volume());
                }
                next.put(id, new VmAudio(id, change.volume() == null ? a.volume() : change.volume(),
                        change.muted() == null ? a.muted() : change.muted(),
                        change.microphone() == null ? a.microphone() : change.microphone()));
            } else if (change.volume() != null || change.muted() != null || change.microphone() != null) {
                throw RpcException.invalidParam(AudioChange.VM, "a volume, mute or microphone setting needs the VM it is for");
            } else if (change.policy() == null) {
                throw RpcException.invalidParam(AudioChange.POLICY, "nothing to change");
            }
            store(newPolicy, next);
            policy = newPolicy;
            settings.clear();
            settings.putAll(next);
        }
        apply();
        publish(new AudioEvent(AudioEvent.Type.CHANGED, null));
        return status();
    }

    private VmAudio settingsOf(UUID id) {
        return settings.getOrDefault(id, VmAudio.defaults(id));
    }

    private UUID resolve(String ref) throws RpcException {
        for (VmStatus v : vms.get()) {
            if (v.definition().id().toString().equals(ref) || v.definition().name().equals(ref)) {
                return v.definition().id();
            }
        }
        throw new RpcException(ErrorCode.NOT_FOUND, "no VM '" + ref + "'");
    }

    private void store(AudioPolicy p, Map<UUID, VmAudio> s) throws RpcException {
        try {
            AtomicFile.write(file, Json.mapper().writerWithDefaultPrettyPrinter()
                    .writeValueAsString(new Stored(p, List.copyOf(s.values()))).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new RpcException(ErrorCode.STORE_FAILED, "cannot store the audio settings in " + file + ": " + e.getMessage());
        }
    }

    /**
     * Sets every stream of a VM as the policy says, changing only what differs (a focus change
     * costs a read of the streams and one call per stream that changes).
     */
    synchronized void apply() {
        if (!serverUp) {
            return;
        }
        Map<Long, UUID> byPid = new HashMap<>();
        for (VmStatus v : vms.get()) {
            if (v.pid() != null) {
                byPid.put(v.pid(), v.definition().id());
            }
        }
        List<Pactl.Stream> now = new ArrayList<>();
        try {
            for (Pactl.Stream s : streams) {
                UUID vm = byPid.get(s.pid());
                Pactl.Stream after = vm == null ? s : set(s, settingsOf(vm), vm.equals(focused));
                changes += after.equals(s) ? 0 : 1;
                now.add(after);
            }
            streams = now;
        } catch (SoundException e) {
            LOG.warning("cannot apply the audio policy: " + e.getMessage());
            readStreams(); // what was done and what not is known again only by reading
        }
    }

    /**
     * Reads the server's streams afresh (after a stream came, went or changed), without holding up
     * a focus change meanwhile; a read that a change of the policy overtook is dropped (the change
     * makes the server announce it, and the next read sees it).
     */
    private void readStreams() {
        long before;
        synchronized (this) {
            before = changes;
        }
        try {
            List<Pactl.Stream> all = new ArrayList<>(pactl.streams(Pactl.Kind.PLAYBACK));
            all.addAll(pactl.streams(Pactl.Kind.RECORDING));
            synchronized (this) {
                if (changes == before) {
                    streams = all;
                }
            }
        } catch (SoundException e) {
            LOG.fine("cannot read the streams: " + e.getMessage());
        }
    }

    /** Sets one stream as the policy says; answers it as it is then. */
    private Pactl.Stream set(Pactl.Stream s, VmAudio a, boolean inFront) throws SoundException {
        int volume = s.volume();
        boolean muted;
        if (s.kind() == Pactl.Kind.PLAYBACK) {
            muted = a.muted() || (policy == AudioPolicy.FOCUSED && !inFront);
            if (volume != a.volume()) {
                pactl.volume(s, a.volume());
                volume = a.volume();
            }
        } else {
            muted = !(a.microphone() && inFront);
        }
        if (s.muted() != muted) {
            pactl.mute(s, muted);
        }
        return new Pactl.Stream(s.kind(), s.index(), s.pid(), s.name(), muted, volume);
    }

    /** Follows the server: applies on each new stream; when it goes, says so and looks again. */
    private void watch() {
        int misses = 0;
        while (!closed) {
            if (pactl.answers()) {
                misses = 0;
                try {
                    Process sub = pactl.subscribe();
                    subscription = sub;
                    readStreams(); // the streams that were there before the subscription
                    up();
                    apply();
                    try (BufferedReader r = new BufferedReader(new InputStreamReader(sub.getInputStream(), StandardCharsets.UTF_8))) {
                        String line;
                        boolean stale = false;
                        boolean added = false;
                        while ((line = r.readLine()) != null && !closed) {
                            if (line.contains("sink-input") || line.contains("source-output")) {
                                stale = true;
                                added |= line.contains("'new'");
                            }
                            // One read for a burst of announcements (a policy change makes several).
                            if (stale && !r.ready()) {
                                readStreams();
                                if (added) {
                                    apply();
                                }
                                stale = false;
                                added = false;
                            }
                        }
                    }
                    sub.destroy();
                } catch (IOException e) {
                    LOG.fine("pactl subscribe: " + e.getMessage());
                }
                if (!closed) {
                    down("the sound server at " + pactl.server() + " went away");
                }
            } else {
                down("nothing answers at " + pactl.server() + " (is polydesk-sound.service running?)");
            }
            try {
                Thread.sleep(RETRY.delay(misses++).toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void up() {
        if (!serverUp) {
            serverUp = true;
            problem = null;
            LOG.info("the sound server answers at " + pactl.server());
            publish(new AudioEvent(AudioEvent.Type.SERVER_UP, pactl.server()));
        }
    }

    private void down(String why) {
        boolean was = serverUp;
        serverUp = false;
        boolean news = was || !why.equals(problem);
        problem = why;
        if (news) {
            LOG.warning(why + "; VMs started now are silent");
            publish(new AudioEvent(AudioEvent.Type.SERVER_DOWN, why));
        }
    }

    /** Whether a VM started now can have sound (else it starts silent; {@link #status} says why). */
    public boolean serverUp() {
        return serverUp;
    }

    @Override
    public void close() {
        closed = true;
        Process sub = subscription;
        if (sub != null) {
            sub.destroy();
        }
        if (watcher != null) {
            watcher.interrupt();
        }
    }
}
