package org.polydesk.ui;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import org.polydesk.testsupport.Layering;

/** Issue 17, point 7: the layering of ui-vm's main classes (the rules are in {@link Layering}). */
@AnalyzeClasses(packages = "org.polydesk.ui", importOptions = ImportOption.DoNotIncludeTests.class)
class LayeringTest {
    @ArchTest
    static final ArchRule packagesFormNoCycle = Layering.noPackageCycles("org.polydesk.ui");

    @ArchTest
    static final ArchRule usesNoJna = Layering.noJna("org.polydesk.ui");
}
