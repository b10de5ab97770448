package org.polydesk.toolstack.definition;

import java.util.List;
import java.util.stream.Collectors;
import org.polydesk.protocol.rpc.Problem;

/**
 * A definition that breaks one or more rules; each problem names the field of the definition it
 * is about ("" for the whole) and is a sentence a person understands.
 */
public class InvalidDefinitionException extends Exception {
    private final List<Problem> problems;

    public InvalidDefinitionException(List<Problem> problems) {
        super(problems.stream().map(Problem::problem).collect(Collectors.joining("; ")));
        this.problems = List.copyOf(problems);
    }

    public InvalidDefinitionException(Problem problem) {
        this(List.of(problem));
    }

    public List<Problem> problems() {
        return problems;
    }

    /** The problems with their fields as paths inside {@code prefix} (the params field that held the definition). */
    public List<Problem> problemsIn(String prefix) {
        return problems.stream().map(p -> new Problem(p.field().isEmpty() ? prefix
                : p.field().startsWith("[") ? prefix + p.field() : prefix + "." + p.field(), p.problem())).toList();
    }
}
