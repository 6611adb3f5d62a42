package dev.logcast.broker.core;

import io.netty.channel.epoll.EpollEventLoop;
import io.netty.channel.nio.NioEventLoop;
import io.netty.util.concurrent.EventExecutor;

/** What the broker relies on about the event loops it runs on. */
public final class IoLoops {
    private IoLoops() {
    }

    /**
     * NIO and epoll loops run their tail tasks ({@code executeAfterEventLoopIteration}) after the tasks of every
     * iteration, then poll their sockets before they run tasks again. Other loops ({@code DefaultEventLoop}, the
     * embedded one) do not run tail tasks in every iteration: work meant for the end of an iteration must run at
     * once or as a plain task there.
     */
    public static boolean runsTailTasks(EventExecutor loop) {
        return loop instanceof NioEventLoop || loop instanceof EpollEventLoop;
    }
}
