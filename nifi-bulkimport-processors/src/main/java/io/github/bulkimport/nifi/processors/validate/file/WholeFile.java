package io.github.bulkimport.nifi.processors.validate.file;

/**
 * What a whole-file check of a file's rows came to; the bad rows themselves went to a {@link BadRows}.
 *
 * @param rows        the rows checked: every row of the file, unless the check stopped
 * @param unreadable  why the file is broken, where the check stopped; {@code null} when it is not
 * @param uncheckable what the check could not read through (a Parquet codec or encoding, a page or a row larger than
 *                    it reads), where it stopped; {@code null} when it read everything
 * @param bytesRead   how many bytes of the content were read
 */
public record WholeFile(long rows, String unreadable, String uncheckable, long bytesRead) {
}
