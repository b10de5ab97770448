package org.polydesk.toolstack;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import org.polydesk.testsupport.Layering;

/** Issue 17, point 7: the layering of toolstack's main classes (the rules are in {@link Layering}). */
@AnalyzeClasses(packages = "org.polydesk.toolstack", importOptions = ImportOption.DoNotIncludeTests.class)
class LayeringTest {
    @ArchTest
    static final ArchRule packagesFormNoCycle = Layering.noPackageCycles("org.polydesk.toolstack");

    @ArchTest
    static final ArchRule jnaOnlyInLibxlAndLinux = Layering.jnaOnlyIn("org.polydesk.toolstack", "org.polydesk.toolstack.libxl", "org.polydesk.toolstack.linux");

    @ArchTest
    static final ArchRule oneLibcBinding = Layering.oneLibcBinding("org.polydesk.toolstack");
}
