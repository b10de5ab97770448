package org.polydesk.viewer.serial;

import com.fazecast.jSerialComm.SerialPort;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;

/**
 * The guest's serial port to dom0 (/dev/ttyS1 in the passthrough VM), raw 8N1, reads blocking
 * until bytes come. Through jSerialComm, the one native dependency of the viewer.
 */
public final class SerialLink implements Closeable {
    private final SerialPort port;

    private SerialLink(SerialPort port) {
        this.port = port;
    }

    public static SerialLink open(Path device) throws IOException {
        // jSerialComm names ports by their device; a link (a test's pty) is followed first
        String path = device.toRealPath().toString();
        SerialPort port = SerialPort.getCommPort(path);
        port.setComPortParameters(115200, 8, SerialPort.ONE_STOP_BIT, SerialPort.NO_PARITY);
        port.setFlowControl(SerialPort.FLOW_CONTROL_DISABLED);
        port.setComPortTimeouts(SerialPort.TIMEOUT_READ_BLOCKING | SerialPort.TIMEOUT_WRITE_BLOCKING, 0, 0);
        if (!port.openPort()) {
            throw new IOException("cannot open the serial port " + path + " (error " + port.getLastErrorCode()
                    + " at " + port.getLastErrorLocation() + ")");
        }
        return new SerialLink(port);
    }

    public InputStream in() {
        return port.getInputStream();
    }

    public OutputStream out() {
        return port.getOutputStream();
    }

    public String describe() {
        return port.getSystemPortPath();
    }

    @Override
    public void close() {
        port.closePort();
    }
}
