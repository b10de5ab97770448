package org.polydesk.toolstack.libxl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JSON the binding hands libxl for a restore, read by the installed libxenlight
 * 4.17's own {@code *_from_json} into its structs: libxl ignores a key it does not know and reads a
 * value of the wrong kind as nothing (checkpointed_stream "NONE" leaves stream_version at 1), so the
 * test looks at what ended up in each field.
 */
class LibxlReadsOurJsonTest {
    /**
     * libxl's from_json needs a context only for its allocations outside a GC and to log a refusal;
     * without Xen none can be opened, so zeroed memory stands in for it. A JSON libxl refuses then
     * crashes the probe on the null logger, which fails the test as surely as a wrong field.
     */
    private static final String PROBE = """
            #include <stdio.h>
            #include <stdlib.h>
            #include <libxl.h>
            int main(int argc, char **argv) {
                libxl_ctx *ctx = calloc(1, 1 << 20);
                libxl_domain_restore_params p;
                libxl_domain_restore_params_init(&p);
                printf("restore_rc %d\\n", libxl_domain_restore_params_from_json(ctx, &p, argv[1]));
                printf("restore_checkpointed_stream %s\\n",
                       libxl_checkpointed_stream_to_string((libxl_checkpointed_stream) p.checkpointed_stream));
                printf("restore_stream_version %u\\n", p.stream_version);
                libxl_domain_restore_params_dispose(&p);
                return 0;
            }
            """;

    @TempDir
    Path tmp;

    @Test
    void libxlReadsTheRestoreParametersIntoTheFieldsMeant() throws Exception {
        Map<String, String> read = CProbe.run(tmp, PROBE, List.of("xenlight"),
                LibxlDomainConfig.restoreParams().toString());
        assertEquals(Map.ofEntries(
                Map.entry("restore_rc", "0"), Map.entry("restore_checkpointed_stream", "none"),
                Map.entry("restore_stream_version", "2")), read);
    }
}
