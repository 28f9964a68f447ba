package io.compactor.actors;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.Test;

/**
 * The actors module's packages (and the public api package) form no cycle; the embedding facade's
 * public methods return no type of an actors subpackage; the api package knows nothing of the actors.
 * {@code mvn -B verify -pl actors -am -Dtest=ArchitectureTest -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class ArchitectureTest {
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.compactor.actors", "io.compactor.api");

    private static SliceAssignment packagesUnder(String... prefixes) {
        return new SliceAssignment() {
            @Override
            public SliceIdentifier getIdentifierOf(JavaClass c) {
                String p = c.getPackageName();
                for (String prefix : prefixes) {
                    if (p.equals(prefix) || p.startsWith(prefix + ".")) {
                        return SliceIdentifier.of(p);
                    }
                }
                return SliceIdentifier.ignore();
            }

            @Override
            public String getDescription() {
                return "packages under " + String.join(", ", prefixes);
            }
        };
    }

    @Test
    void actorsPackagesAreFreeOfCycles() {
        slices().assignedFrom(packagesUnder("io.compactor.actors", "io.compactor.api")).should().beFreeOfCycles()
                .check(MAIN);
    }

    @Test
    void theFacadeReturnsNoTypeOfAnActorsSubpackage() {
        DescribedPredicate<JavaClass> actorsSubpackage = DescribedPredicate.describe("a type of an actors subpackage",
                c -> c.getPackageName().startsWith("io.compactor.actors."));
        methods().that().areDeclaredIn(Compactor.class).and().arePublic()
                .should().haveRawReturnType(DescribedPredicate.not(actorsSubpackage))
                .andShould().haveRawParameterTypes(DescribedPredicate.not(
                        DescribedPredicate.anyElementThat(actorsSubpackage)))
                .check(MAIN);
    }

    @Test
    void theApiPackageDependsOnNoActorsPackageNorPekko() {
        noClasses().that().resideInAPackage("io.compactor.api..").should().dependOnClassesThat()
                .resideInAnyPackage("io.compactor.actors..", "org.apache.pekko..").check(MAIN);
    }
}
