package io.github.bulkimport.nifi.processors.common;

/**
 * A flowfile's attributes or a property's evaluated value cannot make a valid request. The
 * message names the property or attribute to fix and never quotes a credential.
 */
public class InvalidInputException extends Exception {

    public InvalidInputException(final String message) {
        super(message, null, false, false);
    }
}
