package org.polydesk.protocol.rpc;

/**
 * One thing wrong with a request: the field it is about (a JSON path into the params, such as
 * {@code definition.memoryMib} or {@code definition.disks[0]}; empty when it is about the whole
 * request) and a sentence for a person. A validation error's {@code error.data} is a list of these.
 */
public record Problem(String field, String problem) {
    public Problem {
        field = field == null ? "" : field;
    }
}
