package io.vecnn.spark;

/** Why one row's input cannot be scored; the row gets the message in its error column. */
final class RowProblem extends RuntimeException {
    RowProblem(String message) {
        super(message, null, false, false);
    }
}
