package io.compactor.storage;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.Test;

/**
 * The storage module's packages form no cycle (each package a slice, the root package included), and
 * storage knows nothing of Pekko. {@code mvn -B verify -pl storage -Dtest=ArchitectureTest} checks it.
 */
class ArchitectureTest {
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.compactor.storage");

    /** Every package under {@code prefix} (the prefix itself included) is its own slice. */
    static SliceAssignment packagesUnder(String prefix) {
        return new SliceAssignment() {
            @Override
            public SliceIdentifier getIdentifierOf(JavaClass c) {
                String p = c.getPackageName();
                return p.equals(prefix) || p.startsWith(prefix + ".") ? SliceIdentifier.of(p) : SliceIdentifier.ignore();
            }

            @Override
            public String getDescription() {
                return "packages under " + prefix;
            }
        };
    }

    @Test
    void storagePackagesAreFreeOfCycles() {
        slices().assignedFrom(packagesUnder("io.compactor.storage")).should().beFreeOfCycles().check(MAIN);
    }

    @Test
    void storageNeverImportsPekko() {
        com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses().should().dependOnClassesThat()
                .resideInAPackage("org.apache.pekko..").check(MAIN);
    }
}
