package org.polydesk.toolstack.sound;

/** The sound server did not answer or refused; the message says what was asked and what came back. */
final class SoundException extends Exception {
    SoundException(String message) {
        super(message);
    }
}
