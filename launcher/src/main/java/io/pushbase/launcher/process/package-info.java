/** Child processes this JVM starts and owns: start, log, stop by handle. */
package io.pushbase.launcher.process;
