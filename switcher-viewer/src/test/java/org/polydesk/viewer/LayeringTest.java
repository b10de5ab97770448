package org.polydesk.viewer;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import org.polydesk.testsupport.Layering;

/** Issue 17, point 7: the layering of switcher-viewer's main classes (the rules are in {@link Layering}). */
@AnalyzeClasses(packages = "org.polydesk.viewer", importOptions = ImportOption.DoNotIncludeTests.class)
class LayeringTest {
    @ArchTest
    static final ArchRule packagesFormNoCycle = Layering.noPackageCycles("org.polydesk.viewer");

    @ArchTest
    static final ArchRule jnaOnlyInXen = Layering.jnaOnlyIn("org.polydesk.viewer", "org.polydesk.viewer.xen");

    @ArchTest
    static final ArchRule oneLibcBinding = Layering.oneLibcBinding("org.polydesk.viewer");
}
