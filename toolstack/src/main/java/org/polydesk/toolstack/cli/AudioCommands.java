package org.polydesk.toolstack.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.polydesk.protocol.audio.AudioChange;
import org.polydesk.protocol.audio.AudioPolicy;
import org.polydesk.protocol.audio.AudioStatus;
import org.polydesk.protocol.toolstack.ToolstackApi;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "audio", description = "The VMs' sound: who is heard, volumes, the microphone.")
final class AudioCommands {
    /** Its commands, in the order help lists them; polyctl builds only the one a call names. */
    static final List<Class<?>> COMMANDS = List.of(Show.class, Policy.class, Vm.class);

    @ParentCommand
    Polyctl root;

    int print(AudioStatus status) throws Exception {
        return root.print(status, (s, out) -> {
            out.printf("sound server: %s%s%n", s.serverUp() ? "answering at " : "not answering at ", s.server()
                    + (s.problem() == null ? "" : " (" + s.problem() + "; VMs start silent)"));
            out.printf("policy: %s%n", s.policy() == AudioPolicy.MIX ? "mix (every VM is heard)"
                    : "focused (only the VM in front is heard)");
            for (AudioStatus.Vm v : s.vms()) {
                out.printf("%s  volume %d%%%s  microphone %s  %s%s%n", v.name(), v.volume(), v.muted() ? " muted" : "",
                        v.microphone() ? "allowed" : "not allowed", v.streams() == 0 ? "no stream"
                                : v.heard() ? "heard" : "not heard", v.listening() ? ", listening" : "");
            }
        });
    }

    @Command(name = "show", description = "The sound server, the policy and each VM's sound.")
    static final class Show implements Callable<Integer> {
        @ParentCommand
        AudioCommands audio;


        @Override
        public Integer call() throws Exception {
            return audio.print(audio.root.call(ToolstackApi.AUDIO_STATUS, null));
        }
    }

    @Command(name = "policy", description = "Whose sound is heard: focused (only the VM in front) or mix (all).")
    static final class Policy implements Callable<Integer> {
        @ParentCommand
        AudioCommands audio;


        @Parameters(paramLabel = "focused|mix")
        String policy;

        @Override
        public Integer call() throws Exception {
            AudioPolicy p = switch (policy) {
                case "focused" -> AudioPolicy.FOCUSED;
                case "mix" -> AudioPolicy.MIX;
                default -> throw new IllegalArgumentException("the policy is focused or mix, not '" + policy + "'");
            };
            return audio.print(audio.root.call(ToolstackApi.AUDIO_SET, new AudioChange(p, null, null, null, null)));
        }
    }

    @Command(name = "vm", description = "One VM's volume, mute and microphone permission.")
    static final class Vm implements Callable<Integer> {
        @ParentCommand
        AudioCommands audio;


        @Parameters(paramLabel = "VM", description = "The VM's name or id.")
        String vm;

        @Option(names = "--volume", paramLabel = "0-100", description = "Its volume in percent.")
        Integer volume;

        @Option(names = "--mute", negatable = true, description = "Mute it (--no-mute: unmute).")
        Boolean muted;

        @Option(names = "--microphone", negatable = true, description = "Let it have the microphone while it is in"
                + " front (--no-microphone: never).")
        Boolean microphone;

        @Override
        public Integer call() throws Exception {
            return audio.print(audio.root.call(ToolstackApi.AUDIO_SET, new AudioChange(null, vm, volume, muted, microphone)));
        }
    }
}
