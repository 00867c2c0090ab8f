package io.hypermesh.schemas.registry;

/**
 * A schema registry failure carrying Confluent's HTTP status and error code, so the REST layer
 * and the client report exactly what a Confluent-compatible client expects.
 */
public final class RegistryException extends RuntimeException {
    private final int httpStatus;
    private final int errorCode;

    public RegistryException(int httpStatus, int errorCode, String message) {
        super(message);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public int errorCode() {
        return errorCode;
    }

    public boolean isNotFound() {
        return httpStatus == 404;
    }

    public static RegistryException subjectNotFound(String subject) {
        return new RegistryException(404, 40401, "Subject '" + subject + "' not found.");
    }

    public static RegistryException versionNotFound(String subject, int version) {
        return new RegistryException(404, 40402, "Version " + version + " not found for subject '" + subject + "'.");
    }

    public static RegistryException schemaNotFound(String what) {
        return new RegistryException(404, 40403, "Schema not found: " + what);
    }

    public static RegistryException subjectSoftDeleted(String subject) {
        return new RegistryException(404, 40404, "Subject '" + subject
                + "' was soft deleted. Set permanent=true to delete permanently");
    }

    public static RegistryException subjectNotSoftDeleted(String subject) {
        return new RegistryException(404, 40405, "Subject '" + subject
                + "' was not deleted first before being permanently deleted");
    }

    public static RegistryException versionSoftDeleted(String subject, int version) {
        return new RegistryException(404, 40406, "Subject '" + subject + "' Version " + version
                + " was soft deleted. Set permanent=true to delete permanently");
    }

    public static RegistryException versionNotSoftDeleted(String subject, int version) {
        return new RegistryException(404, 40407, "Subject '" + subject + "' Version " + version
                + " was not deleted first before being permanently deleted");
    }

    public static RegistryException subjectCompatibilityNotConfigured(String subject) {
        return new RegistryException(404, 40408, "Subject '" + subject
                + "' does not have subject-level compatibility configured");
    }

    public static RegistryException subjectModeNotConfigured(String subject) {
        return new RegistryException(404, 40409, "Subject '" + subject + "' does not have subject-level mode configured");
    }

    public static RegistryException invalidMode() {
        return new RegistryException(422, 42204, "Invalid mode. Valid values are READWRITE, READONLY, and IMPORT.");
    }

    /** What the registry's mode forbids (Confluent's 42205). */
    public static RegistryException operationNotPermitted(String detail) {
        return new RegistryException(422, 42205, detail);
    }

    /** An imported id outside Confluent's range: ids are non-negative 32-bit integers. */
    public static RegistryException invalidId(long id) {
        return new RegistryException(422, 42205, "Schema id " + id + " is out of range; ids are 0 to " + Integer.MAX_VALUE);
    }

    public static RegistryException invalidSchema(String detail) {
        return new RegistryException(422, 42201, "Invalid schema: " + detail);
    }

    /** Confluent's 42208: a subject name it refuses (we refuse control characters, which no log or client shows faithfully). */
    public static RegistryException invalidSubject(String subject) {
        return new RegistryException(422, 42208, "The specified subject is not valid: '" + subject.replaceAll("\\p{Cntrl}", "?")
                + "' holds a control character");
    }

    /** Confluent's 42209: a schema whose stored record would not fit the schemas log. */
    public static RegistryException schemaTooLarge(int bytes, int limit) {
        return new RegistryException(422, 42209, "Schema too large: " + bytes + " bytes, the limit is " + limit);
    }

    public static RegistryException invalidVersion(String version) {
        return new RegistryException(422, 42202, "The specified version '" + version
                + "' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"");
    }

    public static RegistryException invalidCompatibilityLevel(String level, String validValues) {
        return new RegistryException(422, 42203, "Invalid compatibility level '" + level
                + "'. Valid values are " + validValues);
    }

    public static RegistryException referenceExists(String subject, int version) {
        return new RegistryException(422, 42206, "One or more references exist to the schema {subject="
                + subject + ", version=" + version + "}");
    }

    public static RegistryException incompatible(String subject, java.util.List<String> messages) {
        return new RegistryException(409, 409, "Schema being registered is incompatible with an earlier schema for subject \""
                + subject + "\", details: " + messages);
    }

    public static RegistryException badRequest(String detail) {
        return new RegistryException(400, 400, detail);
    }

    public static RegistryException storeError(String detail, Throwable cause) {
        RegistryException e = new RegistryException(500, 50001, "Error in the backend data store: " + detail);
        e.initCause(cause);
        return e;
    }

    public static RegistryException timeout(String detail) {
        return new RegistryException(500, 50002, "Operation timed out: " + detail);
    }
}
