package io.hypermesh.platform.registry;

import io.hypermesh.schemas.registry.RegistryException;

import java.util.List;
import java.util.Optional;

import static io.hypermesh.platform.registry.SchemaRegistry.IMPORT;
import static io.hypermesh.platform.registry.SchemaRegistry.Planned;

/**
 * The registry's settings as pure functions of {@link RegistryState}, as {@link SchemaRegistry}
 * has its schemas: the mode (READWRITE, READONLY, READONLY_OVERRIDE, IMPORT) and the compatibility
 * level, globally and per subject.
 */
public final class RegistrySettings {
    private static final List<String> MODES = List.of(SchemaRegistry.READWRITE, SchemaRegistry.READONLY,
            SchemaRegistry.READONLY_OVERRIDE, IMPORT);

    private RegistrySettings() {
    }

    /**
     * Sets the global mode ({@code subject} null) or a subject's. IMPORT needs no live subject in
     * its scope unless forced, so imported ids cannot collide with ones already handed out.
     */
    public static Planned<String> setMode(RegistryState state, String subject, String modeText, boolean force) {
        if (subject != null) {
            SchemaRegistry.refuseInvalidSubject(subject);
        }
        String mode = modeText == null ? null : modeText.toUpperCase(java.util.Locale.ROOT);
        if (!MODES.contains(mode)) {
            throw RegistryException.invalidMode();
        }
        if (IMPORT.equals(mode) && !IMPORT.equals(state.modeInScope(subject)) && !force) {
            boolean occupied = subject == null ? !state.subjects(false).isEmpty() : state.subjects(false).contains(subject);
            if (occupied) {
                throw RegistryException.operationNotPermitted("Cannot import since found existing subjects");
            }
        }
        return new Planned<>(List.of(new StoreRecord.Mode(subject, mode)), mode);
    }

    /** The global mode ({@code subject} null), a subject's own, or with {@code defaultToGlobal} the one it is in. */
    public static String mode(RegistryState state, String subject, boolean defaultToGlobal) {
        if (subject == null) {
            return state.globalMode();
        }
        Optional<String> own = state.subjectMode(subject);
        if (own.isPresent()) {
            return own.get();
        }
        if (defaultToGlobal) {
            return state.globalMode();
        }
        throw RegistryException.subjectModeNotConfigured(subject);
    }

    /** Removes a subject's own mode (it falls back to the global one); answers the mode it had. */
    public static Planned<String> deleteMode(RegistryState state, String subject) {
        String previous = state.subjectMode(subject).orElseThrow(() -> RegistryException.subjectNotFound(subject));
        return new Planned<>(List.of(new StoreRecord.Mode(subject, null)), previous);
    }

    public static Planned<CompatibilityLevel> setLevel(String subject, String levelText) {
        CompatibilityLevel level = CompatibilityLevel.parse(levelText);
        return new Planned<>(List.of(new StoreRecord.Config(subject, level)), level);
    }

    public static Planned<CompatibilityLevel> deleteLevel(RegistryState state, String subject) {
        if (subject == null) {
            return new Planned<>(List.of(new StoreRecord.Config(null, null)), state.globalLevel());
        }
        CompatibilityLevel previous = state.subjectLevel(subject).orElseThrow(() -> state.versions(subject).isEmpty()
                ? RegistryException.subjectNotFound(subject)
                : RegistryException.subjectCompatibilityNotConfigured(subject));
        return new Planned<>(List.of(new StoreRecord.Config(subject, null)), previous);
    }

    public static CompatibilityLevel level(RegistryState state, String subject, boolean defaultToGlobal) {
        if (subject == null) {
            return state.globalLevel();
        }
        Optional<CompatibilityLevel> own = state.subjectLevel(subject);
        if (own.isPresent()) {
            return own.get();
        }
        if (defaultToGlobal) {
            return state.globalLevel();
        }
        throw RegistryException.subjectCompatibilityNotConfigured(subject);
    }
}
