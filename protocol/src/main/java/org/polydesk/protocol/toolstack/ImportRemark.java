package org.polydesk.protocol.toolstack;

/**
 * Something an import tells a person about one key: why it was not carried over, or a choice made.
 *
 * @param key the xl key, or {@code key[i].option} for an option of the i-th entry (from 0) of a list
 *            such as {@code disk}, {@code vif} or {@code pci}, or {@code key[i]} for the whole entry
 * @param line where the key, or the list entry, stands in the file; 0 for a remark on a key the file lacks
 */
public record ImportRemark(String key, int line, String reason) {

    @Override
    public String toString() {
        return "line " + line + ": " + key + ": " + reason;
    }
}
