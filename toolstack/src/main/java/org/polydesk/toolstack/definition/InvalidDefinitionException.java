package org.polydesk.toolstack.definition;

import java.util.List;

/** A definition that breaks one or more rules; each problem is a sentence a person understands. */
public class InvalidDefinitionException extends Exception {
    private final List<String> problems;

    public InvalidDefinitionException(List<String> problems) {
        super(String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public InvalidDefinitionException(String problem) {
        this(List.of(problem));
    }

    public List<String> problems() {
        return problems;
    }
}
