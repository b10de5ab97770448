package org.polydesk.viewer.app;

/**
 * The jar's main class. Not {@link ViewerApp} itself: java's launcher refuses to start a main
 * class that extends JavaFX's Application unless JavaFX is on the module path ("JavaFX runtime
 * components are missing"), and the .deb puts it on the class path.
 */
public final class ViewerMain {
    private ViewerMain() {
    }

    public static void main(String[] args) {
        ViewerApp.main(args);
    }
}
