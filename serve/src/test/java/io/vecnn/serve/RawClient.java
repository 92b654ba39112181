package io.vecnn.serve;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Plain sockets to a test server on 127.0.0.1, for clients that misbehave below HTTP. */
final class RawClient {
    private RawClient() {}

    static Socket connect(int port, Duration readTimeout) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout((int) readTimeout.toMillis());
        return socket;
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** The status line's first 12 bytes ("HTTP/1.1 408"), or what arrived before the connection ended. */
    static String status(Socket socket) throws IOException {
        return new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
    }

    /** One whole response, head and body (by its Content-Length), from a connection that stays open. */
    static String response(Socket socket) throws IOException {
        var in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                return head.toString();
            }
            head.append((char) b);
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    /**
     * Reads until the server closes the connection: true when it did (end of stream or reset), false when
     * nothing ended it within the socket's read timeout.
     */
    static boolean closedByServer(Socket socket) {
        try {
            socket.getInputStream().transferTo(OutputStream.nullOutputStream());
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /** A binary-extension V2 inference body: the JSON header, then the little-endian floats. */
    static byte[] binaryInfer(float[] x, int images, int c, int h, int w) {
        String header = "{\"inputs\":[{\"name\":\"input\",\"shape\":[" + images + "," + c + "," + h + "," + w
                + "],\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":" + x.length * 4 + "}}]}";
        java.nio.ByteBuffer b =
                java.nio.ByteBuffer.allocate(header.length() + x.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put(header.getBytes(StandardCharsets.UTF_8));
        b.asFloatBuffer().put(x);
        return b.array();
    }

    static int headerLength(byte[] binaryInfer, int floats) {
        return binaryInfer.length - floats * 4;
    }
}
