package org.polydesk.input;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import org.polydesk.testsupport.Layering;

/** Issue 17, point 7: the layering of input-server's main classes (the rules are in {@link Layering}). */
@AnalyzeClasses(packages = "org.polydesk.input", importOptions = ImportOption.DoNotIncludeTests.class)
class LayeringTest {
    @ArchTest
    static final ArchRule packagesFormNoCycle = Layering.noPackageCycles("org.polydesk.input");

    @ArchTest
    static final ArchRule jnaOnlyInLinux = Layering.jnaOnlyIn("org.polydesk.input", "org.polydesk.input.linux");

    @ArchTest
    static final ArchRule oneLibcBinding = Layering.oneLibcBinding("org.polydesk.input");
}
